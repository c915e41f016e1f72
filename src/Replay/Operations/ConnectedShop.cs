using Microsoft.Extensions.Configuration;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Replay.Operations;

/// <summary>
/// A shop as <c>setup</c> and <c>doctor</c> know it (an entry of <c>Shops</c>): what connects it to the
/// pipeline. They check the services' secrets, so they read them: the Admin API token, the webhook
/// secrets Ingest verifies with, and the conversion token the dispatcher sends with.
/// </summary>
public sealed class ConnectedShop : Shop
{
    /// <summary>Admin API access token of the app whose webhooks the shop sends (scope read_orders).</summary>
    public string? AdminApiToken { get; set; }

    /// <summary>What Ingest verifies webhooks with: the app's API secret for subscriptions the app made.</summary>
    public List<string> WebhookSecrets { get; set; } = [];

    public ConnectedShopPinterest Pinterest { get; set; } = new();

    /// <summary>The configured shops, in order, from the same <c>Shops</c> list the services bind.</summary>
    public static List<ConnectedShop> From(IConfiguration configuration) =>
        configuration.GetSection(ShopList<ConnectedShop>.Section).Get<List<ConnectedShop>>() ?? [];
}

/// <summary><c>Shops:N:Pinterest</c> as <c>doctor</c> reads it.</summary>
public sealed class ConnectedShopPinterest
{
    public string AdAccountId { get; set; } = "";

    public string? ConversionToken { get; set; }
}
