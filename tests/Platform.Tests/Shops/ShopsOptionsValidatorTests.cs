using Streaming.ServiceDefaults.Shops;

namespace Streaming.Platform.Tests.Shops;

public sealed class ShopsOptionsValidatorTests
{
    private static readonly ShopsOptionsValidator Validator = new();

    [Fact]
    public void A_complete_shop_passes()
    {
        var result = Validator.Validate(null, new ShopsOptions { Items = [Shop("a.myshopify.com")] });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void No_shop_at_all_is_refused()
    {
        var result = Validator.Validate(null, new ShopsOptions());

        Assert.Contains("at least one shop", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_problem_is_named_by_its_configuration_key()
    {
        var broken = Shop("");
        broken.WebhookSecrets = [];
        broken.Pinterest.AdAccountId = "act_123";

        var result = Validator.Validate(null, new ShopsOptions { Items = [Shop("ok.myshopify.com"), broken] });

        Assert.False(result.Succeeded);
        Assert.Contains("Shops:1:Domain", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Shops:1:WebhookSecrets", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Shops:1:Pinterest:AdAccountId", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Shops:0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_shop_twice_is_refused_whatever_the_case()
    {
        var result = Validator.Validate(null, new ShopsOptions { Items = [Shop("a.myshopify.com"), Shop("A.MyShopify.com")] });

        Assert.Contains("a.myshopify.com is configured 2 times", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_directory_finds_a_shop_whatever_the_case()
    {
        var directory = new ShopDirectory(Microsoft.Extensions.Options.Options.Create(new ShopsOptions { Items = [Shop("a.myshopify.com")] }));

        Assert.True(directory.TryFind(" A.MYSHOPIFY.COM", out var shop));
        Assert.Equal("a.myshopify.com", shop.Domain);
        Assert.False(directory.TryFind("b.myshopify.com", out _));
        Assert.False(directory.TryFind(null, out _));
    }

    private static ShopOptions Shop(string domain) => new()
    {
        Domain = domain,
        WebhookSecrets = ["secret"],
        Pinterest = new ShopPinterestOptions { AdAccountId = "549755813888" },
    };
}
