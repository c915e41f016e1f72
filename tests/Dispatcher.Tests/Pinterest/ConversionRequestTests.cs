using System.Text.Json;

namespace Streaming.Dispatcher.Tests.Pinterest;

public sealed class ConversionRequestTests
{
    private static readonly Uri Api = new("https://api.pinterest.com");

    [Fact]
    public void The_body_follows_the_Conversions_API_field_types()
    {
        var request = ConversionRequest.For(Shop(token: "tok"), [Event("1", em: ["h1", "h2"])], Api);

        using var body = JsonDocument.Parse(request.Body);
        var sent = Assert.Single(body.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal(["data"], body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["event_name", "action_source", "event_time", "event_id", "user_data", "custom_data"], sent.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Number, sent.GetProperty("event_time").ValueKind);
        Assert.Equal(["h1", "h2"], sent.GetProperty("user_data").GetProperty("em").EnumerateArray().Select(e => e.GetString()));
        // Pinterest parses value as a string; a JSON number is rejected.
        Assert.Equal(JsonValueKind.String, sent.GetProperty("custom_data").GetProperty("value").ValueKind);
        Assert.Equal("tok", request.ConversionToken);
        Assert.Equal(new Uri("https://api.pinterest.com/v5/ad_accounts/549755813888/events"), request.Url);
    }

    [Fact]
    public void Missing_values_are_left_out_rather_than_sent_as_null()
    {
        var e = Event("1", em: []);
        e.CustomData = new PinterestCustomData { OrderId = "1" };

        using var body = JsonDocument.Parse(ConversionRequest.For(Shop(), [e], Api, withMarket: false).Body);

        var sent = body.RootElement.GetProperty("data")[0];
        Assert.Empty(sent.GetProperty("user_data").EnumerateObject());
        Assert.Equal(["order_id"], sent.GetProperty("custom_data").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void The_market_pair_goes_in_custom_data_unless_the_ad_account_refused_it()
    {
        var e = Event("1");
        e.MarketId = "71502413844";
        e.MarketHandle = "de";

        using var with = JsonDocument.Parse(ConversionRequest.For(Shop(), [e], Api).Body);
        using var without = JsonDocument.Parse(ConversionRequest.For(Shop(), [e], Api, withMarket: false).Body);

        var custom = with.RootElement.GetProperty("data")[0].GetProperty("custom_data");
        Assert.Equal(("71502413844", "de"), (custom.GetProperty("market_id").GetString(), custom.GetProperty("market_handle").GetString()));
        var plain = without.RootElement.GetProperty("data")[0].GetProperty("custom_data");
        Assert.False(plain.TryGetProperty("market_id", out _) || plain.TryGetProperty("market_handle", out _));
    }

    [Fact]
    public void A_request_printed_anywhere_never_shows_its_conversion_token()
    {
        var request = ConversionRequest.For(Shop(token: "secret-token-value"), [Event("1")], Api);

        Assert.Equal("secret-token-value", request.ConversionToken);
        Assert.DoesNotContain("secret-token-value", request.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Test_mode_adds_test_true_and_no_token_means_a_dry_run()
    {
        var request = ConversionRequest.For(Shop(testMode: true, token: " "), [Event("1")], new Uri("http://127.0.0.1:5000/base/"));

        Assert.Equal(new Uri("http://127.0.0.1:5000/base/v5/ad_accounts/549755813888/events?test=true"), request.Url);
        Assert.Null(request.ConversionToken);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public void A_request_carries_one_to_a_thousand_events(int count)
    {
        var events = Enumerable.Range(0, count).Select(i => Event(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();

        Assert.Throws<ArgumentOutOfRangeException>(() => ConversionRequest.For(Shop(), events, Api));
    }

    [Fact]
    public void Hashed_keys_go_as_arrays_and_ip_user_agent_and_click_id_as_plain_strings()
    {
        var e = Event("1", em: ["h-em"]);
        e.UserData.Ph = ["h-ph"];
        e.UserData.Country = ["h-country"];
        e.UserData.ExternalId = ["h-id"];
        e.UserData.ClientIpAddress = "198.51.100.23";
        e.UserData.ClientUserAgent = "Mozilla/5.0";
        e.UserData.ClickId = "dj0y";
        e.CustomData.ContentIds = ["9007199254741207"];
        e.CustomData.NumItems = 4;

        using var body = JsonDocument.Parse(ConversionRequest.For(Shop(), [e], Api).Body);

        var sent = body.RootElement.GetProperty("data")[0];
        var user = sent.GetProperty("user_data");
        Assert.Equal(["em", "ph", "country", "external_id", "client_ip_address", "client_user_agent", "click_id"], user.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Array, user.GetProperty("external_id").ValueKind);
        Assert.Equal("198.51.100.23", user.GetProperty("client_ip_address").GetString());
        Assert.Equal("dj0y", user.GetProperty("click_id").GetString());
        var custom = sent.GetProperty("custom_data");
        Assert.Equal(["9007199254741207"], custom.GetProperty("content_ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(4, custom.GetProperty("num_items").GetInt64());
    }

    [Fact]
    public void Every_field_is_written_in_order_and_escaped_as_the_JSON_serializer_did()
    {
        var e = Event("7");
        e.UserData = new PinterestUserData { Em = ["h"], Ph = ["p"], Zp = ["z"], ClientUserAgent = "Mozilla/5.0 <x> & \"y\" é" };
        e.CustomData = new PinterestCustomData
        {
            Currency = "EUR",
            Value = "1.50",
            OrderId = "7",
            NumItems = 3,
            Contents = [new PinterestContent { Id = "sku+1", ItemPrice = "0.50", Quantity = 3, ItemName = "Tee 'blue'" }],
            SearchString = "tee",
        };
        e.MarketId = "42";
        e.MarketHandle = "de";
        e.EventSourceUrl = "https://s.example/thank-you?a=1&b=2";
        e.OptOut = false;

        var body = ConversionRequest.For(Shop(), [e, Event("8")], Api).Body;

        // What JsonSerializer wrote for the payload records this writer replaced (snake_case, nulls left out,
        // the default encoder's escaping), byte for byte.
        Assert.Equal(
            """{"data":[{"event_name":"checkout","action_source":"web","event_time":1700000000,"event_id":"7","user_data":{"em":["h"],"ph":["p"],"zp":["z"],"client_user_agent":"Mozilla/5.0 \u003Cx\u003E \u0026 \u0022y\u0022 \u00E9"},"custom_data":{"currency":"EUR","value":"1.50","order_id":"7","num_items":3,"contents":[{"id":"sku\u002B1","item_price":"0.50","quantity":3,"item_name":"Tee \u0027blue\u0027"}],"search_string":"tee","market_id":"42","market_handle":"de"},"event_source_url":"https://s.example/thank-you?a=1\u0026b=2","opt_out":false},"""
            + """{"event_name":"checkout","action_source":"web","event_time":1700000000,"event_id":"8","user_data":{"em":["h"]},"custom_data":{"currency":"USD","value":"10.00","order_id":"8","market_id":"0","market_handle":"unassigned_market"}}]}""",
            body);
        Assert.Equal(body.Length, RequestSize.Of([ConversionRequest.Bytes(e, true), ConversionRequest.Bytes(Event("8"), true)]));
    }

    private static DispatcherShop Shop(bool testMode = false, string? token = null) => new()
    {
        Domain = "S.myshopify.com",
        Pinterest = new DispatcherShopPinterest { AdAccountId = "549755813888", TestMode = testMode, ConversionToken = token },
    };

    private static PinterestEvent Event(string id, List<string>? em = null) => new()
    {
        ShopDomain = "s.myshopify.com",
        EventName = "checkout",
        ActionSource = "web",
        EventTime = 1_700_000_000,
        EventId = id,
        UserData = new PinterestUserData { Em = em ?? ["h"] },
        CustomData = new PinterestCustomData { Currency = "USD", Value = "10.00", OrderId = id },
    };
}
