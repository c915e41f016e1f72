namespace Streaming.Enricher;

/// <summary>A shop as the enricher knows it (an entry of <c>Shops</c>): what becomes a Pinterest event, and how.</summary>
public sealed class EnricherShop : Shop
{
    /// <summary>Which events the enricher makes for this shop, and how.</summary>
    public ShopEventOptions Events { get; set; } = new();

    /// <summary>What the enricher reads of the shop's Pinterest settings.</summary>
    public EnricherShopPinterest Pinterest { get; set; } = new();

    /// <summary>
    /// How long this shop's sessions (IP address, user agent, click id, landing page), cart contents, sent
    /// orders and checkout links are kept after their last change. Null: <c>Enricher:Retention</c> (30 days).
    /// </summary>
    public TimeSpan? SessionRetention { get; set; }

    public override IEnumerable<string> Problems(string at)
    {
        if (SessionRetention is { } retention && (retention < TimeSpan.FromMinutes(1) || retention > TimeSpan.FromDays(3650)))
        {
            yield return $"{at}:SessionRetention must lie between 00:01:00 and 3650.00:00:00, not {retention}.";
        }
    }
}

/// <summary><c>Shops:N:Pinterest</c> as the enricher reads it: never the conversion token.</summary>
public sealed class EnricherShopPinterest
{
    /// <summary>While on, test orders are sent too: Pinterest validates them and records nothing.</summary>
    public bool TestMode { get; set; }
}

/// <summary>A shop's choices about what becomes a Pinterest event (<c>Shops:N:Events</c>).</summary>
public sealed class ShopEventOptions
{
    /// <summary>Send Shopify test orders (always sent while <see cref="EnricherShopPinterest.TestMode"/> is on).</summary>
    public bool SendTestOrders { get; set; }

    /// <summary>Send subscription renewals (<c>source_name</c> <c>subscription_contract</c>): not new ad conversions, so off by default.</summary>
    public bool SendSubscriptionRenewals { get; set; }

    /// <summary>Send page_visit, view_category, search and initiate_checkout from storefront events.</summary>
    public bool SendBrowsingEvents { get; set; } = true;

    /// <summary>
    /// Send add_payment_info from the storefront's <c>payment_info_submitted</c>: a checkout step like
    /// initiate_checkout, under the same session and consent rules, so on by default.
    /// </summary>
    public bool SendPaymentInfo { get; set; } = true;

    /// <summary>
    /// Send lead from a newsletter or contact form the storefront submitted. On by default: it needs the
    /// session's marketing consent like every storefront event, and carries only the form's e-mail.
    /// </summary>
    public bool SendLeads { get; set; } = true;

    /// <summary>
    /// Send signup from <c>customers/create</c>. Off by default: the webhook has no browser session, so no
    /// consent signal of the shopper's browser and no click id; a shop turns it on knowingly.
    /// </summary>
    public bool SendSignups { get; set; }

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
