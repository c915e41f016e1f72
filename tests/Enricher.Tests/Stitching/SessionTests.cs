using Streaming.Enricher.Sessions;

namespace Streaming.Enricher.Tests.Stitching;

public sealed class SessionTests
{
    private static readonly ShopEventOptions Drop = new();
    private static readonly ShopEventOptions OptOut = new() { WithoutMarketingConsent = WithoutMarketingConsent.OptOut };

    [Fact]
    public void A_session_keeps_the_latest_click_id_ip_and_user_agent_and_the_first_page()
    {
        var viewed = Pixel("pixel-product_viewed.json");
        var session = SessionRecorder.Record(null, Event(viewed, at: 1_000, clickId: null, ip: "203.0.113.1", ua: "UA-1"), viewed.RootElement);
        var later = Pixel("pixel-page_viewed.json");
        session = SessionRecorder.Record(session, Event(later, at: 5_000, clickId: "newer-click", ip: "203.0.113.2", ua: "UA-2"), later.RootElement);
        var earlier = Pixel("pixel-page_viewed.json");
        session = SessionRecorder.Record(session, Event(earlier, at: 500, clickId: "older-click", ip: "203.0.113.3", ua: "UA-3"), earlier.RootElement);

        Assert.Equal("newer-click", session.ClickId);
        Assert.Equal("203.0.113.2", session.ClientIp);
        Assert.Equal("UA-2", session.UserAgent);
        Assert.Equal(500, session.FirstSeen);
        Assert.Equal(5_000, session.LastSeen);
        Assert.Equal(Href(earlier), session.LandingUrl);
    }

    [Fact]
    public void The_click_id_falls_back_to_the_epik_parameter_of_the_page()
    {
        var viewed = Pixel("pixel-product_viewed.json");

        var session = SessionRecorder.Record(null, Event(viewed, at: 1, clickId: null, ip: null, ua: null), viewed.RootElement);

        Assert.Equal("dj0yJnU9S0tmaXh0dXJlJm49WmVvJm09Mg", session.ClickId);
    }

    [Fact]
    public void Without_marketing_consent_no_click_id_is_taken_from_the_envelope_or_the_page()
    {
        var viewed = Pixel("pixel-product_viewed.json");

        var session = SessionRecorder.Record(null, Event(viewed, at: 1, clickId: "sent-anyway", ip: null, ua: null, marketing: false), viewed.RootElement);

        Assert.Null(session.ClickId);
        Assert.False(session.MarketingAllowed);
    }

    [Fact]
    public void Market_present_null_and_absent()
    {
        var present = Pixel("pixel-checkout_completed.json");
        var withMarket = SessionRecorder.Record(null, Event(present, 1, null, "203.0.113.1", "UA"), present.RootElement);
        var nulled = JsonNode.Parse(present.RootElement.GetRawText())!;
        nulled["data"]!["checkout"]!["localization"]!["market"] = null;
        using var nullDocument = JsonDocument.Parse(nulled.ToJsonString());
        var withNull = SessionRecorder.Record(null, Event(nullDocument, 1, null, "203.0.113.1", "UA"), nullDocument.RootElement);
        var absent = Pixel("pixel-page_viewed.json");
        var without = SessionRecorder.Record(null, Event(absent, 1, null, "203.0.113.1", "UA"), absent.RootElement);

        Assert.Equal(("de", "71502413844"), Market(withMarket));
        Assert.Equal(("unassigned_market", "0"), Market(withNull));
        Assert.Equal(("unassigned_market", "0"), Market(without));
        Assert.Equal(("unassigned_market", "0"), Market(null));
    }

    [Fact]
    public void Without_marketing_consent_the_shop_policy_drops_the_event_or_flags_it()
    {
        var session = new Session { ClientIp = "203.0.113.1", UserAgent = "UA", MarketingAllowed = false, SaleOfDataAllowed = true };

        Assert.Equal("no_marketing_consent", SessionStitcher.Stitch(Draft(), session, Drop).SkipReason);
        var flagged = SessionStitcher.Stitch(Draft(), session, OptOut).Event!;
        Assert.True(flagged.OptOut);
        Assert.Null(flagged.CustomData.OptOutType);
    }

    [Fact]
    public void A_shopper_who_refused_the_sale_of_data_gets_limited_data_processing()
    {
        var session = new Session { ClientIp = "203.0.113.1", UserAgent = "UA", MarketingAllowed = true, SaleOfDataAllowed = false };

        var stitched = SessionStitcher.Stitch(Draft(), session, Drop).Event!;

        Assert.Equal("LDP", stitched.CustomData.OptOutType);
        Assert.Null(stitched.OptOut);
    }

    [Fact]
    public void The_session_wins_over_the_order_and_the_order_fills_what_the_session_lacks()
    {
        var draft = Draft();
        draft.UserData.ClickId = "order-click";
        draft.UserData.ClientIpAddress = "198.51.100.1";
        draft.UserData.ClientUserAgent = "Order-UA";

        var withSession = SessionStitcher.Stitch(draft, new Session { ClickId = "session-click", ClientIp = "203.0.113.1", UserAgent = "Session-UA", MarketingAllowed = true, SaleOfDataAllowed = true }, Drop).Event!;
        var withoutClick = Draft();
        withoutClick.UserData.ClickId = "order-click";
        var partial = SessionStitcher.Stitch(withoutClick, new Session { ClientIp = "203.0.113.1", UserAgent = "Session-UA", MarketingAllowed = true, SaleOfDataAllowed = true }, Drop).Event!;

        Assert.Equal(("session-click", "203.0.113.1", "Session-UA"), (withSession.UserData.ClickId, withSession.UserData.ClientIpAddress, withSession.UserData.ClientUserAgent));
        Assert.Equal("order-click", partial.UserData.ClickId);
    }

    private static (string, string) Market(Session? session)
    {
        var stitched = SessionStitcher.Stitch(Draft(), session, Drop).Event!;
        return (stitched.MarketHandle, stitched.MarketId);
    }

    private static PinterestEvent Draft() => new()
    {
        ShopDomain = TestSettings.Shop,
        EventName = "checkout",
        ActionSource = "web",
        EventId = "1",
        UserData = new PinterestUserData { Em = ["a"] },
        CustomData = new PinterestCustomData(),
    };

    private static JsonDocument Pixel(string file) => JsonDocument.Parse(ShopifySamples.Fixture(file));

    private static string? Href(JsonDocument pixel) =>
        pixel.RootElement.GetProperty("context").GetProperty("document").GetProperty("location").GetProperty("href").GetString();

    internal static StorefrontEvent Event(JsonDocument pixel, long at, string? clickId, string? ip, string? ua, string? cartToken = null, bool marketing = true) => new()
    {
        ShopDomain = TestSettings.Shop,
        EventId = $"pixel-{Guid.NewGuid():N}",
        EventName = pixel.RootElement.GetProperty("name").GetString()!,
        ShopifyEventId = pixel.RootElement.GetProperty("id").GetString()!,
        ClientId = "client-1",
        OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime,
        ClickId = clickId,
        CartToken = cartToken,
        Consent = new StorefrontConsent { Analytics = true, Marketing = marketing, Preferences = true, SaleOfData = true },
        ClientIp = ip,
        UserAgent = ua,
        ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime,
        Event = Encoding.UTF8.GetBytes(pixel.RootElement.GetRawText()),
    };
}
