using Streaming.ServiceDefaults.Shops;

namespace Streaming.Platform.Tests.Shops;

public sealed class ShopListTests
{
    private static readonly ShopListValidator<TestShop> Validator = new();

    [Fact]
    public void A_complete_shop_passes()
    {
        var result = Validator.Validate(null, new ShopList<TestShop> { Items = [Shop("a.myshopify.com")] });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void No_shop_at_all_is_refused()
    {
        var result = Validator.Validate(null, new ShopList<TestShop>());

        Assert.Contains("at least one shop", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_problem_is_named_by_its_configuration_key_including_those_the_service_adds()
    {
        var broken = Shop("");
        broken.Secret = "";

        var result = Validator.Validate(null, new ShopList<TestShop> { Items = [Shop("ok.myshopify.com"), broken] });

        Assert.False(result.Succeeded);
        Assert.Contains("Shops:1:Domain", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Shops:1:Secret", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Shops:0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_shop_twice_is_refused_whatever_the_case()
    {
        var result = Validator.Validate(null, new ShopList<TestShop> { Items = [Shop("a.myshopify.com"), Shop("A.MyShopify.com")] });

        Assert.Contains("a.myshopify.com is configured 2 times", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_directory_finds_a_shop_whatever_the_case()
    {
        var directory = new ShopDirectory<TestShop>(Options.Create(new ShopList<TestShop> { Items = [Shop("a.myshopify.com")] }));

        Assert.True(directory.TryFind(" A.MYSHOPIFY.COM", out var shop));
        Assert.Equal("a.myshopify.com", shop.Domain);
        Assert.False(directory.TryFind("b.myshopify.com", out _));
        Assert.False(directory.TryFind(null, out _));
    }

    private static TestShop Shop(string domain) => new() { Domain = domain, Secret = "s" };

    public sealed class TestShop : Shop
    {
        public string Secret { get; set; } = "";

        public override IEnumerable<string> Problems(string at)
        {
            if (Secret.Length == 0)
            {
                yield return $"{at}:Secret is required.";
            }
        }
    }
}
