using Streaming.Enricher.Hashing;
using Streaming.Enricher.Orders;
using Streaming.Enricher.Stitching;
using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher.Customers;

/// <summary>
/// Maps a <c>customers/create</c> webhook to a Pinterest <c>signup</c>. The webhook carries no cart or
/// checkout token, so no browser session joins it: the match keys are the customer record's own (e-mail,
/// phone, name, default address, customer id), and the event id is derived from the customer id
/// (<see cref="EventIds.Signup"/>).
/// </summary>
/// <remarks>
/// Shopify creates a customer record for a guest's first order too, and for imports and the admin. Only
/// an account the shopper opened (<c>state</c> <c>enabled</c>) or a shopper who agreed to e-mail or SMS
/// marketing signed up for something; any other record is no signup.
/// </remarks>
public static class SignupMapper
{
    /// <summary>The event, or why there is none; throws what makes the webhook unmappable.</summary>
    public static (PinterestEvent? Event, string? SkipReason) Map(ShopifyWebhook webhook, JsonElement customer, EnricherShop shop, TimeProvider clock)
    {
        var customerId = Id(customer, "id") ?? throw new UnmappableWebhookException("The customer has no id (a positive whole number of at most 19 digits).");
        if (!SignedUp(customer))
        {
            return (null, SkipReasons.NotASignup);
        }

        if (!shop.Events.SendSignups)
        {
            return (null, SkipReasons.SignupsOff);
        }

        var createdAt = Text(customer, "created_at");
        var eventTime = createdAt is null ? new DateTimeOffset(webhook.ReceivedAt, TimeSpan.Zero)
            : PlausibleTime(createdAt, clock.GetUtcNow())
              ?? throw new UnmappableWebhookException($"Customer {customerId} has created_at {Quote(createdAt)}, which is not a plausible time.");
        var draft = new PinterestEvent
        {
            ShopDomain = webhook.ShopDomain,
            EventName = PinterestEventNames.Signup,
            ActionSource = "web",
            EventTime = eventTime.ToUnixTimeSeconds(),
            EventId = EventIds.Signup(customerId),
            UserData = UserData(customer, customerId),
            CustomData = new PinterestCustomData(),
            SourceWebhookId = webhook.WebhookId,
            Replay = webhook.BackfillRun is { } run ? $"backfill/{run}" : null,
        };
        // No session: the market is unassigned, and an event without an e-mail cannot be matched.
        return SessionStitcher.Stitch(draft, session: null, shop.Events);
    }

    /// <summary>An account opened, or marketing agreed to (the 2022+ consent objects, or the older <c>accepts_marketing</c>).</summary>
    public static bool SignedUp(JsonElement customer) =>
        Text(customer, "state") == "enabled"
        || Text(Object(customer, "email_marketing_consent"), "state") == "subscribed"
        || Text(Object(customer, "sms_marketing_consent"), "state") == "subscribed"
        || (customer.TryGetProperty("accepts_marketing", out var accepts) && accepts.ValueKind == JsonValueKind.True);

    private static PinterestUserData UserData(JsonElement customer, string customerId)
    {
        var address = Object(customer, "default_address");
        var country = Text(address, "country_code");
        return new PinterestUserData
        {
            Em = Hashed(MatchKeys.Email(Text(customer, "email"))),
            Ph = Hashed(MatchKeys.Phone(Text(customer, "phone") ?? Text(address, "phone"), country)),
            Fn = Hashed(MatchKeys.Name(Text(customer, "first_name") ?? Text(address, "first_name"))),
            Ln = Hashed(MatchKeys.Name(Text(customer, "last_name") ?? Text(address, "last_name"))),
            Ct = Hashed(MatchKeys.City(Text(address, "city"))),
            St = Hashed(MatchKeys.State(Text(address, "province_code"))),
            Zp = Hashed(MatchKeys.Zip(Text(address, "zip"), country)),
            Country = Hashed(MatchKeys.Country(country)),
            ExternalId = Hashed(MatchKeys.ExternalId(customerId)),
        };
    }

    private static List<string> Hashed(string? normalized) => normalized is null ? [] : [MatchKeys.Sha256Hex(normalized)];
}
