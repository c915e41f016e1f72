namespace Streaming.Contracts;

/// <summary>
/// Why an input became no event: the <c>reason</c> of <c>pipeline.enricher.records</c> with outcome
/// <c>skipped</c>. Stable strings, documented in the README; dashboards count by them.
/// </summary>
public static class SkipReasons
{
    public const string PointOfSale = "pos";
    public const string DraftOrder = "shopify_draft_order";
    public const string SubscriptionRenewal = "subscription_contract";
    public const string OtherChannel = "other_channel";
    public const string TestOrder = "test_order";
    public const string AlreadySent = "already_sent";
    public const string OrderUpdate = "order_update";
    public const string NotAConversion = "not_a_conversion";
    public const string NoMatchKey = "no_match_key";
    public const string NoMarketingConsent = "no_marketing_consent";
    public const string NothingAdded = "nothing_added";
    public const string LinkRecorded = "checkout_link_recorded";
    public const string SessionOnly = "session_recorded";
    public const string BrowsingEventsOff = "browsing_events_off";
    public const string TopicNotMapped = "topic_not_mapped";

    /// <summary>The shop turned the event off: <c>Events:SendPaymentInfo</c>, <c>Events:SendLeads</c>, <c>Events:SendSignups</c>.</summary>
    public const string PaymentInfoOff = "payment_info_off";
    public const string LeadsOff = "leads_off";
    public const string SignupsOff = "signups_off";

    /// <summary>A form submitted that is no newsletter or contact form (a login, a search, a cart form): no lead.</summary>
    public const string NotALead = "not_a_lead";

    /// <summary>A customer record with neither an account nor marketing consent (a guest's first order, an import): no signup.</summary>
    public const string NotASignup = "not_a_signup";
    public const string UnmappableOnRelease = "unmappable_on_release";

    /// <summary>A compliance request's copy (customers/redact, shop/redact, customers/data_request): handled, no event.</summary>
    public const string PrivacyRequest = "privacy_request";

    /// <summary>A storefront event stamped before 2006 or more than a day ahead (as orders, see OrderJson.PlausibleTime).</summary>
    public const string ImplausibleEventTime = "implausible_event_time";

    /// <summary>
    /// The reasons that leave out an event that was due (a POS order, a shopper without consent), as
    /// opposed to an input that is no event at all (an order update, a session recorded, a repeat): only
    /// these are the "excluded" of the operator view.
    /// </summary>
    public static bool IsExclusion(string reason) => reason is PointOfSale or DraftOrder or SubscriptionRenewal or OtherChannel or TestOrder
        or NoMatchKey or NoMarketingConsent or BrowsingEventsOff or UnmappableOnRelease or PaymentInfoOff or LeadsOff or SignupsOff;
}
