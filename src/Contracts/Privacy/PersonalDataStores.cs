namespace Streaming.Contracts;

/// <summary>
/// The names of the stores and the kinds of personal data a compliance report (<c>pipeline.privacy</c>)
/// and the metric <c>pipeline.privacy.entries</c> speak of: strings a merchant and a dashboard read.
/// </summary>
public static class PersonalDataStores
{
    /// <summary>The enricher's partition stores and their compacted changelog.</summary>
    public const string EnricherState = "enricher-state";

    /// <summary>The dead-letter topic.</summary>
    public const string DeadLetters = "dead-letters";

    /// <summary>The kinds of personal data, as a report lists them.</summary>
    public static class Kinds
    {
        public const string IpAddress = "ip_address";
        public const string UserAgent = "user_agent";
        public const string ClickId = "click_id";
        public const string LandingUrl = "landing_url";
        public const string CartContents = "cart_contents";
        public const string OrderIds = "order_ids";
        public const string CheckoutLink = "checkout_link";

        /// <summary>A whole order, checkout or cart as Shopify sent it: names, addresses, e-mail, phone.</summary>
        public const string OrderBody = "order_body";

        /// <summary>A Pinterest event: hashed e-mail and phone, IP address and user agent in plain form.</summary>
        public const string PinterestEvent = "pinterest_event";

        /// <summary>What the storefront pixel sent: the page, IP address, user agent, checkout contact details.</summary>
        public const string StorefrontEvent = "storefront_event";
    }
}
