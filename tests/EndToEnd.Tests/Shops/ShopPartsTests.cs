using Microsoft.Extensions.Configuration;
using Streaming.Ingest.Shops;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.EndToEnd.Tests.Shops;

/// <summary>Each service binds its own part of the one Shops list, and checks only that part.</summary>
public sealed class ShopPartsTests
{
    private static readonly IConfiguration DispatcherOnly = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Shops:0:Domain"] = "a.myshopify.com",
        ["Shops:0:Pinterest:AdAccountId"] = "549755813888",
        ["Shops:0:Pinterest:ConversionToken"] = "pina_token",
    }).Build();

    [Fact]
    public void The_dispatcher_starts_without_webhook_secrets_and_reads_its_token()
    {
        var shops = Bind<DispatcherShop>(DispatcherOnly);

        Assert.True(new ShopListValidator<DispatcherShop>().Validate(null, shops).Succeeded);
        Assert.Equal("pina_token", Assert.Single(shops.Items).Pinterest.ConversionToken);
    }

    [Fact]
    public void Ingest_refuses_the_same_list_for_want_of_webhook_secrets_and_never_sees_the_token()
    {
        var shops = Bind<IngestShop>(DispatcherOnly);
        var result = new ShopListValidator<IngestShop>().Validate(null, shops);

        Assert.Contains("Shops:0:WebhookSecrets", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(typeof(IngestShop).GetProperties().Concat(typeof(IngestShopPinterest).GetProperties()), p => p.Name == "ConversionToken");
    }

    [Fact]
    public void The_dispatcher_names_a_bad_ad_account()
    {
        var shops = new ShopList<DispatcherShop> { Items = [new() { Domain = "a.myshopify.com", Pinterest = new() { AdAccountId = "act_1" } }] };

        var result = new ShopListValidator<DispatcherShop>().Validate(null, shops);

        Assert.Contains("Shops:0:Pinterest:AdAccountId", result.FailureMessage, StringComparison.Ordinal);
    }

    private static ShopList<TShop> Bind<TShop>(IConfiguration configuration)
        where TShop : Shop
    {
        var shops = new ShopList<TShop>();
        configuration.GetSection(ShopList<TShop>.Section).Bind(shops.Items);
        return shops;
    }
}
