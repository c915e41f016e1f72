using System.Text.Json.Nodes;

namespace Streaming.Ingest.Tests.Storefront;

/// <summary>The public storefront endpoint on real Kestrel at 127.0.0.1 against the test broker.</summary>
[Collection(OnKafka.Name)]
public sealed class CollectEndpointTests(KafkaFixture kafka) : IAsyncLifetime
{
    private const string Marker = "<script>alert(1)</script>";

    private readonly HttpClient _http = new();
    private TestHost _host = null!;
    private TestTopics _topics = null!;

    public async Task InitializeAsync()
    {
        _topics = await kafka.CreateTopicsAsync(partitions: 1);
        var settings = TestSettings.For(kafka.BootstrapServers, _topics);
        settings["Storefront:MaxBodyBytes"] = "4096";
        settings["Storefront:MaxEventAge"] = "7.00:00:00";
        settings["Shops:0:StorefrontOrigins:0"] = "https://www.test-shop.example";
        _host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Bad_posts_get_a_status_and_a_message_naming_the_field_are_counted_and_store_nothing()
    {
        using var outcomes = new OutcomeCounter("pipeline.ingest.storefront_events");
        var url = _host.BaseUrl;
        var cases = new (string Case, HttpRequestMessage Request, HttpStatusCode Status, string Title, string Names)[]
        {
            ("form post", Requests.Collect(url, Requests.Envelope(), "application/x-www-form-urlencoded"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type", "text/plain"),
            ("not JSON", Requests.Collect(url, Encoding.UTF8.GetBytes("shop=" + Marker)), HttpStatusCode.BadRequest, "invalid_envelope", "not valid JSON"),
            ("JSON array", Requests.Collect(url, "[]"u8.ToArray()), HttpStatusCode.BadRequest, "invalid_envelope", "wrong type"),
            ("no shop", Requests.Collect(url, Requests.Envelope(change: e => e.Remove("shop"))), HttpStatusCode.BadRequest, "invalid_envelope", "/shop"),
            ("shop not a shop domain", Requests.Collect(url, Requests.Envelope(change: e => e["shop"] = Marker)), HttpStatusCode.BadRequest, "invalid_envelope", "/shop"),
            ("no event id", Requests.Collect(url, Requests.Envelope(change: e => e.Remove("event_id"))), HttpStatusCode.BadRequest, "invalid_envelope", "/event_id"),
            ("empty event id", Requests.Collect(url, Requests.Envelope(change: e => e["event_id"] = "")), HttpStatusCode.BadRequest, "invalid_envelope", "/event_id"),
            ("no consent", Requests.Collect(url, Requests.Envelope(change: e => e.Remove("consent"))), HttpStatusCode.BadRequest, "invalid_envelope", "/consent"),
            ("consent as text", Requests.Collect(url, Requests.Envelope(change: e => e["consent"]!["marketing"] = "yes")), HttpStatusCode.BadRequest, "invalid_envelope", "/consent/marketing"),
            ("no event", Requests.Collect(url, Requests.Envelope(change: e => e.Remove("event"))), HttpStatusCode.BadRequest, "invalid_envelope", "/event"),
            ("event without name", Requests.Collect(url, Requests.Envelope(change: e => e["event"]!.AsObject().Remove("name"))), HttpStatusCode.BadRequest, "invalid_envelope", "/event/name"),
            ("event name not a name", Requests.Collect(url, Requests.Envelope(name: Marker)), HttpStatusCode.BadRequest, "invalid_envelope", "/event/name"),
            ("event without clientId", Requests.Collect(url, Requests.Envelope(change: e => e["event"]!.AsObject().Remove("clientId"))), HttpStatusCode.BadRequest, "invalid_envelope", "/event/clientId"),
            ("event time not a time", Requests.Collect(url, Requests.Envelope(change: e => e["event"]!["timestamp"] = "yesterday")), HttpStatusCode.BadRequest, "invalid_envelope", "/event/timestamp"),
            ("event from the year 9999", Requests.Collect(url, Requests.Envelope(change: e => e["event"]!["timestamp"] = "9999-12-31T23:59:59Z")), HttpStatusCode.BadRequest, "future_event", "/event/timestamp"),
            ("event next year", Requests.Collect(url, Requests.Envelope(change: e => e["event"]!["timestamp"] = Iso(DateTime.UtcNow.AddYears(1)))), HttpStatusCode.BadRequest, "future_event", "Storefront:MaxClockSkew"),
            ("event of last month", Requests.Collect(url, Requests.Envelope(change: e => e["event"]!["timestamp"] = Iso(DateTime.UtcNow.AddDays(-30)))), HttpStatusCode.BadRequest, "stale_event", "Storefront:MaxEventAge"),
            ("event before Shopify", Requests.Collect(url, Requests.Envelope(change: e => e["event"]!["timestamp"] = "0001-01-01T00:00:00Z")), HttpStatusCode.BadRequest, "stale_event", "/event/timestamp"),
            ("data not an object", Requests.Collect(url, Requests.Envelope(change: e => e["event"]!["data"] = 5)), HttpStatusCode.BadRequest, "invalid_envelope", "/event/data"),
            ("field the envelope lacks", Requests.Collect(url, Requests.Envelope(change: e => e["client_ip"] = "1.2.3.4")), HttpStatusCode.BadRequest, "invalid_envelope", "property the envelope does not define"),
            ("field named like markup", Requests.Collect(url, Requests.Envelope(change: e => e["consent"]![Marker] = true)), HttpStatusCode.BadRequest, "invalid_envelope", "/consent: has a property"),
            ("cart token as number", Requests.Collect(url, Requests.Envelope(change: e => e["cart_token"] = 7)), HttpStatusCode.BadRequest, "invalid_envelope", "/cart_token"),
            ("unknown shop", Requests.Collect(url, Requests.Envelope(change: e => e["shop"] = "other.myshopify.com")), HttpStatusCode.Forbidden, "unknown_shop", "shop"),
            ("foreign origin", Requests.Collect(url, Requests.Envelope(), origin: "https://evil.example"), HttpStatusCode.Forbidden, "origin_not_allowed", "Shops:N:StorefrontOrigins"),
            ("body over the limit", Requests.Collect(url, Requests.Envelope(change: e => e["event"]!["data"] = new JsonObject { ["pad"] = new string('x', 5000) })), HttpStatusCode.RequestEntityTooLarge, "body_too_large", "Storefront:MaxBodyBytes"),
        };

        foreach (var (name, request, status, title, names) in cases)
        {
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"{name}: {response.StatusCode}, not {status}: {text}");
            var (problemTitle, detail) = await Requests.ProblemAsync(response);
            Assert.True(title == problemTitle, $"{name}: {problemTitle}, not {title}");
            Assert.True(detail.Contains(names, StringComparison.Ordinal), $"{name}: '{detail}' does not name {names}");
            Assert.DoesNotContain("alert(1)", text, StringComparison.Ordinal);
            Assert.DoesNotContain("client_ip", text, StringComparison.Ordinal);
            Assert.DoesNotContain("evil.example", text, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        }

        Assert.Equal(cases.Select(c => c.Title).Order(), outcomes.Reasons("rejected").Order());
        Assert.Empty(kafka.ReadAll(_topics.StorefrontEvents.Name, 1, TimeSpan.FromSeconds(2)));
        using var alive = await _http.GetAsync(new Uri(_host.BaseUrl, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Theory]
    [InlineData("text/plain;charset=UTF-8", Requests.Origin)]
    [InlineData("application/json", "https://www.test-shop.example")]
    [InlineData("application/json", null)]
    public async Task An_event_is_stored_with_the_client_ip_and_user_agent_before_the_202(string contentType, string? origin)
    {
        var envelope = Requests.Envelope(cartToken: "cart-stored");
        var shopifyEvent = Encoding.UTF8.GetBytes(envelope["event"]!.ToJsonString());

        using var response = await _http.SendAsync(Requests.Collect(_host.BaseUrl, envelope, contentType, origin));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(origin, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var allowed) ? allowed.Single() : null);
        var record = Assert.Single(kafka.ReadAll(_topics.StorefrontEvents.Name, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal($"{TestSettings.Shop}/cart-stored", Encoding.UTF8.GetString(record.Message.Key!));
        var stored = await TestRecords.Serdes().DeserializeAsync<StorefrontEvent>(record.Message.Value, record.Topic);
        Assert.Equal(TestSettings.Shop, stored.ShopDomain);
        Assert.Equal(envelope["event_id"]!.GetValue<string>(), stored.EventId);
        Assert.Equal("page_viewed", stored.EventName);
        Assert.Equal(envelope["event"]!["id"]!.GetValue<string>(), stored.ShopifyEventId);
        Assert.Equal("b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", stored.ClientId);
        Assert.Equal(DateTimeOffset.Parse(envelope["event"]!["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).UtcDateTime, stored.OccurredAt);
        Assert.Equal("dj0yJnU9dGVzdA", stored.ClickId);
        Assert.Equal("cart-stored", stored.CartToken);
        Assert.Null(stored.CheckoutToken);
        Assert.True(stored.Consent.Analytics);
        Assert.True(stored.Consent.Marketing);
        Assert.False(stored.Consent.Preferences);
        Assert.True(stored.Consent.SaleOfData);
        Assert.Equal("127.0.0.1", stored.ClientIp);
        Assert.Equal("Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0", stored.UserAgent);
        Assert.Equal(shopifyEvent, stored.Event);
    }

    [Fact]
    public async Task A_preflight_from_a_storefront_is_allowed_and_from_elsewhere_refused()
    {
        using var allowed = new HttpRequestMessage(HttpMethod.Options, new Uri(_host.BaseUrl, "/collect"));
        allowed.Headers.Add("Origin", "https://www.test-shop.example");
        allowed.Headers.Add("Access-Control-Request-Method", "POST");
        using var foreign = new HttpRequestMessage(HttpMethod.Options, new Uri(_host.BaseUrl, "/collect"));
        foreign.Headers.Add("Origin", "https://evil.example");
        foreign.Headers.Add("Access-Control-Request-Method", "POST");

        using var yes = await _http.SendAsync(allowed);
        using var no = await _http.SendAsync(foreign);

        Assert.Equal(HttpStatusCode.NoContent, yes.StatusCode);
        Assert.Equal("https://www.test-shop.example", yes.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", yes.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, no.StatusCode);
        Assert.False(no.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_client_over_its_rate_gets_429_with_Retry_After_and_others_go_on()
    {
        var settings = TestSettings.For(kafka.BootstrapServers, _topics);
        settings["Storefront:RequestsPerMinutePerClient"] = "60";
        settings["Storefront:TrustedProxies:0"] = "127.0.0.0/8";
        await using var host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());

        var statuses = new List<HttpStatusCode>();
        TimeSpan? retryAfter = null;
        for (var i = 0; i < 15; i++)
        {
            using var response = await _http.SendAsync(Behind(Requests.Collect(host.BaseUrl, Requests.Envelope()), "198.51.100.7"));
            statuses.Add(response.StatusCode);
            retryAfter ??= response.Headers.RetryAfter?.Delta;
        }

        using var other = await _http.SendAsync(Behind(Requests.Collect(host.BaseUrl, Requests.Envelope()), "198.51.100.8"));

        Assert.Equal(HttpStatusCode.Accepted, statuses[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.NotNull(retryAfter);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }

    [Fact]
    public async Task Logs_carry_no_email_and_no_full_ip()
    {
        var envelope = Requests.Envelope(change: e =>
        {
            e["event"]!["data"] = new JsonObject { ["checkout"] = new JsonObject { ["email"] = "ada.lovelace@example.com" } };
            e["shop"] = "other.myshopify.com";
        });

        using var rejected = await _http.SendAsync(Requests.Collect(_host.BaseUrl, envelope));
        using var accepted = await _http.SendAsync(Requests.Collect(_host.BaseUrl, Requests.Envelope(change: e => e["event"]!["data"] = JsonNode.Parse("""{"email":"ada.lovelace@example.com"}"""))));

        Assert.Equal(HttpStatusCode.Forbidden, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        // Ingest's own lines: the host's, the provisioner's and librdkafka's name the listening and broker addresses, 127.0.0.1 too.
        var lines = _host.Logs.Lines.Where(l => l.Category.StartsWith("Streaming.Ingest.", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        Assert.Contains(lines, l => l.Contains("unknown_shop", StringComparison.Ordinal) && l.Contains("127.0.0.0/24", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("ada.lovelace", StringComparison.Ordinal) || l.Contains("127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rate_below_one_a_second_holds_after_the_burst()
    {
        var settings = TestSettings.For(kafka.BootstrapServers, _topics);
        settings["Storefront:RequestsPerMinutePerClient"] = "5";
        await using var host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await _http.SendAsync(Requests.Collect(host.BaseUrl, Requests.Envelope()));
            statuses.Add(response.StatusCode);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        // Five a minute is one each 12 s, with a burst of one: one post in two seconds gets through.
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task A_storefront_can_read_why_its_post_was_refused_and_another_origin_cannot()
    {
        using var own = await _http.SendAsync(Requests.Collect(_host.BaseUrl, Requests.Envelope(change: e => e.Remove("shop"))));
        using var foreign = await _http.SendAsync(Requests.Collect(_host.BaseUrl, Requests.Envelope(change: e => e.Remove("shop")), origin: "https://evil.example"));

        Assert.Equal(HttpStatusCode.BadRequest, own.StatusCode);
        Assert.Equal(Requests.Origin, own.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public void The_envelope_schema_in_the_repository_is_the_one_served()
    {
        var file = Path.Combine(ShopifySamples.RepositoryRoot(), "src", "Ingest", "Storefront", Streaming.Ingest.Storefront.CollectEnvelope.SchemaResource);

        Assert.Equal(File.ReadAllText(file), Streaming.Ingest.Storefront.CollectEnvelope.SchemaText);
        Assert.Equal("object", JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task An_envelope_that_is_not_UTF_8_gets_400_invalid_envelope_and_no_error()
    {
        using var outcomes = new OutcomeCounter("pipeline.ingest.storefront_events");
        var json = Encoding.UTF8.GetBytes(Requests.Envelope().ToJsonString());
        var cases = new (string Case, byte[] Body, string Names)[]
        {
            ("bytes that are no UTF-8 in a field the schema checks", Spliced(json, "\"event_id\":\"pv-", [0xC3, 0x28]), "UTF-8"),
            ("bytes that are no UTF-8 deep inside the event", Spliced(json, "\"href\":\"", [0xFF, 0xFE, 0xFD]), "UTF-8"),
            ("an escaped lone surrogate in a field the schema checks", Spliced(json, "\"event_id\":\"pv-", "\\ud800"u8.ToArray()), "Unicode"),
            ("an escaped lone surrogate deep inside the event", Spliced(json, "\"href\":\"", "\\udc00x"u8.ToArray()), "Unicode"),
        };

        foreach (var (name, body, names) in cases)
        {
            using var response = await _http.SendAsync(Requests.Collect(_host.BaseUrl, body));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {response.StatusCode}: {text}");
            var (title, detail) = await Requests.ProblemAsync(response);
            Assert.Equal("invalid_envelope", title);
            Assert.True(detail.Contains(names, StringComparison.Ordinal), $"{name}: '{detail}' does not name {names}");
        }

        Assert.Equal(Enumerable.Repeat("invalid_envelope", cases.Length), outcomes.Reasons("rejected"));
        Assert.DoesNotContain(_host.Logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error || l.Message.Contains("   at ", StringComparison.Ordinal));
        Assert.Empty(kafka.ReadAll(_topics.StorefrontEvents.Name, 1, TimeSpan.FromSeconds(1)));
    }

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><paramref name="json"/> with <paramref name="inserted"/> right after the first <paramref name="after"/>.</summary>
    private static byte[] Spliced(byte[] json, string after, byte[] inserted)
    {
        var at = json.AsSpan().IndexOf(Encoding.UTF8.GetBytes(after)) + Encoding.UTF8.GetByteCount(after);
        Assert.True(at > after.Length, $"{after} is not in the envelope");
        return [.. json.AsSpan(0, at), .. inserted, .. json.AsSpan(at)];
    }

    private static HttpRequestMessage Behind(HttpRequestMessage request, string client)
    {
        request.Headers.Add("X-Forwarded-For", client);
        return request;
    }
}
