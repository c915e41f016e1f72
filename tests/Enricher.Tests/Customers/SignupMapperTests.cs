using Streaming.Enricher.Customers;
using Streaming.Enricher.Orders;
using Streaming.Enricher.Output;

namespace Streaming.Enricher.Tests.Customers;

/// <summary>signup from customers/create: match keys from the customer record, the id from the customer id, no session.</summary>
public sealed class SignupMapperTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 2, 11, 14, 12, 43, TimeSpan.Zero);

    [Fact]
    public void An_account_opened_with_marketing_consent_becomes_a_signup_with_the_customers_match_keys()
    {
        var (signup, skipped) = Map(Customer(), SignupsOn());

        Assert.Null(skipped);
        Assert.Equal((PinterestEventNames.Signup, "su_9007199254748811", "web"), (signup!.EventName, signup.EventId, signup.ActionSource));
        // created_at 2026-02-11T09:12:41-05:00, not when the webhook came.
        Assert.Equal(DateTimeOffset.Parse("2026-02-11T14:12:41Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds(), signup.EventTime);
        var user = signup.UserData;
        Assert.Equal([MatchKeys.Sha256Hex("zoe.angstrom@example.net")], user.Em);
        Assert.Equal([MatchKeys.Sha256Hex(MatchKeys.Phone("+15035550147", "DE")!)], user.Ph);
        Assert.Equal([MatchKeys.Sha256Hex("zoë")], user.Fn);
        Assert.Equal([MatchKeys.Sha256Hex("hamburg")], user.Ct);
        Assert.Equal([MatchKeys.Sha256Hex("20357")], user.Zp);
        Assert.Equal([MatchKeys.Sha256Hex("de")], user.Country);
        Assert.Equal([MatchKeys.Sha256Hex("9007199254748811")], user.ExternalId);
        // No session: no click id, address or browser, and the market is unassigned.
        Assert.Equal((null, null, null), (user.ClickId, user.ClientIpAddress, user.ClientUserAgent));
        Assert.Equal((SessionStitcher.UnassignedMarketHandle, SessionStitcher.UnassignedMarketId), (signup.MarketHandle, signup.MarketId));
        Assert.Equal(PinterestEventNames.Signup, Outcomes.EventNameOf(ShopifyTopics.CustomersCreate));
    }

    [Fact]
    public void Signups_are_off_unless_the_shop_turns_them_on()
    {
        var (signup, skipped) = Map(Customer(), new EnricherShop { Domain = TestSettings.Shop });

        Assert.Null(signup);
        Assert.Equal(SkipReasons.SignupsOff, skipped);
        Assert.True(SkipReasons.IsExclusion(skipped!));
    }

    [Theory]
    [InlineData("enabled", "not_subscribed", null, true)]
    [InlineData("disabled", "subscribed", null, true)]
    [InlineData("disabled", "not_subscribed", "subscribed", true)]
    [InlineData("invited", "unsubscribed", null, false)]
    [InlineData("disabled", "not_subscribed", null, false)]
    public void Only_an_account_opened_or_marketing_agreed_to_is_a_signup(string state, string emailConsent, string? smsConsent, bool signedUp)
    {
        var customer = Customer();
        customer["state"] = state;
        customer["email_marketing_consent"]!["state"] = emailConsent;
        customer["sms_marketing_consent"] = smsConsent is null ? null : new JsonObject { ["state"] = smsConsent };

        var (signup, skipped) = Map(customer, SignupsOn());

        Assert.Equal(signedUp, signup is not null);
        Assert.Equal(signedUp ? null : SkipReasons.NotASignup, skipped);
    }

    [Fact]
    public void A_customer_without_an_email_has_nothing_Pinterest_can_match_and_one_without_an_id_is_unmappable()
    {
        var noEmail = Customer();
        noEmail.Remove("email");
        var noId = Customer();
        noId["id"] = "0042";

        Assert.Equal(SkipReasons.NoMatchKey, Map(noEmail, SignupsOn()).SkipReason);
        Assert.Throws<UnmappableWebhookException>(() => Map(noId, SignupsOn()));
    }

    [Fact]
    public void The_same_customer_delivered_twice_gives_the_same_event()
    {
        var first = Map(Customer(), SignupsOn()).Event!;
        var again = Map(Customer(), SignupsOn()).Event!;

        Assert.Equal(first.EventId, again.EventId);
        Assert.Equal(first.UserData.Em, again.UserData.Em);
        Assert.Equal(first.EventTime, again.EventTime);
    }

    internal static JsonObject Customer() => JsonNode.Parse(ShopifySamples.Fixture("customers-create.json"))!.AsObject();

    internal static EnricherShop SignupsOn()
    {
        var shop = new EnricherShop { Domain = TestSettings.Shop };
        shop.Events.SendSignups = true;
        return shop;
    }

    private static (PinterestEvent? Event, string? SkipReason) Map(JsonObject customer, EnricherShop shop)
    {
        var webhook = new ShopifyWebhook
        {
            WebhookId = "webhook-1",
            Topic = ShopifyTopics.CustomersCreate,
            ShopDomain = TestSettings.Shop,
            ReceivedAt = ReceivedAt.UtcDateTime,
            Body = Encoding.UTF8.GetBytes(customer.ToJsonString()),
        };
        using var document = JsonDocument.Parse(webhook.Body);
        return SignupMapper.Map(webhook, document.RootElement, shop, TimeProvider.System);
    }
}
