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

    /// <summary>Which events the enricher makes for this shop, and how.</summary>
    public ShopEventOptions Events { get; set; } = new();

    /// <summary>
    /// Admin API access token (scope <c>read_orders</c>) for the replay tool's install-time backfill, which
    /// reads the shop's recent orders. The pipeline itself never calls Shopify.
    /// </summary>
    public string? AdminApiToken { get; set; }
}

/// <summary>A shop's choices about what becomes a Pinterest event (<c>Shops:N:Events</c>).</summary>
public sealed class ShopEventOptions
{
    /// <summary>Send Shopify test orders (always sent while <see cref="ShopPinterestOptions.TestMode"/> is on).</summary>
    public bool SendTestOrders { get; set; }

    /// <summary>Send subscription renewals (<c>source_name</c> <c>subscription_contract</c>): not new ad conversions, so off by default.</summary>
    public bool SendSubscriptionRenewals { get; set; }

    /// <summary>Send page_visit, view_category, search and initiate_checkout from storefront events.</summary>
    public bool SendBrowsingEvents { get; set; } = true;

    /// <summary>
    /// <c>Subtotal</c> (Pinterest's advice: after discounts, before shipping and tax) or <c>Total</c>
    /// (what the shopper paid in full) for a checkout's value.
    /// </summary>
    public CheckoutValue CheckoutValue { get; set; } = CheckoutValue.Subtotal;

    /// <summary>What to do with an event of a shopper whose session says marketing is not allowed.</summary>
    public WithoutMarketingConsent WithoutMarketingConsent { get; set; } = WithoutMarketingConsent.Drop;
}

public enum WithoutMarketingConsent
{
    /// <summary>Send nothing for the shopper.</summary>
    Drop,

    /// <summary>Send the event with <c>opt_out=true</c>: Pinterest counts it but does not use it for targeting.</summary>
    OptOut,
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
