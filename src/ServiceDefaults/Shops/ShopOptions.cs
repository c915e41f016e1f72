using Streaming.Contracts;

namespace Streaming.ServiceDefaults.Shops;

/// <summary>One Shopify shop the pipeline serves (an entry of the <c>Shops</c> configuration list).</summary>
public sealed class ShopOptions
{
    /// <summary>The shop's myshopify.com domain, as Shopify sends it in X-Shopify-Shop-Domain.</summary>
    public string Domain { get; set; } = "";

    /// <summary>Secrets that may sign this shop's webhooks. Keep the old one next to the new one while rotating.</summary>
    public List<string> WebhookSecrets { get; set; } = [];

    /// <summary>
    /// Origins of the shop's storefronts (for example <c>https://www.example.com</c>) that may post to
    /// <c>/collect</c>; the shop's own <c>https://&lt;domain&gt;</c> is always allowed.
    /// </summary>
    public List<string> StorefrontOrigins { get; set; } = [];

    public ShopPinterestOptions Pinterest { get; set; } = new();


    /// <summary>
    /// Admin API access token (scope <c>read_orders</c>) for the replay tool's install-time backfill, which
    /// reads the shop's recent orders. The pipeline itself never calls Shopify.
    /// </summary>
    public string? AdminApiToken { get; set; }
}

/// <summary>Where a shop's conversions go.</summary>
public sealed class ShopPinterestOptions
{
    /// <summary>Pinterest ad account id: digits only, at most 18.</summary>
    public string AdAccountId { get; set; } = "";

    /// <summary>Conversion access token from Pinterest Ads Manager. Empty: dry run, requests are only logged and written to a file.</summary>
    public string? ConversionToken { get; set; }

    /// <summary>Send with <c>?test=true</c>: Pinterest validates the events but records none.</summary>
    public bool TestMode { get; set; }

    /// <summary>
    /// The Pinterest Tag id the storefront pixel loads and fires with the shared event ids. Empty: the
    /// pixel only feeds <c>/collect</c>, and the shop's Tag (if any) keeps its own event ids.
    /// </summary>
    public string? TagId { get; set; }
}
