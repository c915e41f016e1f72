using Streaming.Ingest.Idempotency;

namespace Streaming.Ingest.Tests.Webhooks;

/// <summary>Ingest's webhook endpoint on real Kestrel at 127.0.0.1 against the test broker.</summary>
[Collection(OnKafka.Name)]
public sealed class WebhookEndpointTests(KafkaFixture kafka) : IAsyncLifetime
{
    private static readonly byte[] Order = Requests.Order("450789469", cartToken: null);

    private readonly HttpClient _http = new();
    private TestHost _host = null!;
    private string _topic = "";

    public async Task InitializeAsync()
    {
        var topics = await kafka.CreateTopicsAsync(partitions: 1);
        _topic = topics.ShopifyWebhooks.Name;
        var settings = TestSettings.For(kafka.BootstrapServers, topics);
        settings["Ingest:MaxBodyBytes"] = "2048";
        settings["Shops:0:WebhookSecrets:1"] = "rotated-secret";
        _host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Bad_webhooks_get_a_status_and_a_message_naming_the_problem_are_counted_and_store_nothing()
    {
        using var outcomes = new OutcomeCounter("pipeline.ingest.webhooks");
        var hoursAgo = DateTime.UtcNow.AddHours(-49).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var ahead = DateTime.UtcNow.AddMinutes(10).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var cases = new (string Case, HttpRequestMessage Request, HttpStatusCode Status, string Title, string Names, string CountedAs)[]
        {
            ("no signature", Without(Signed(Order), "X-Shopify-Hmac-Sha256"), HttpStatusCode.Unauthorized, "missing_signature", "X-Shopify-Hmac-Sha256", "missing_signature"),
            ("no topic", Without(Signed(Order), "X-Shopify-Topic"), HttpStatusCode.BadRequest, "missing_header", "X-Shopify-Topic", "missing_header"),
            ("no shop", Without(Signed(Order), "X-Shopify-Shop-Domain"), HttpStatusCode.BadRequest, "missing_header", "X-Shopify-Shop-Domain", "missing_header"),
            ("no delivery id", Without(Signed(Order), "X-Shopify-Webhook-Id"), HttpStatusCode.BadRequest, "missing_header", "X-Shopify-Webhook-Id", "missing_header"),
            ("two topics", With(Signed(Order), "X-Shopify-Topic", "orders/create"), HttpStatusCode.BadRequest, "repeated_header", "X-Shopify-Topic", "repeated_header"),
            ("two shops", With(Signed(Order), "X-Shopify-Shop-Domain", "other.myshopify.com"), HttpStatusCode.BadRequest, "repeated_header", "X-Shopify-Shop-Domain", "repeated_header"),
            ("unknown shop", Requests.Webhook(_host.BaseUrl, Order, shop: "other.myshopify.com"), HttpStatusCode.Unauthorized, "invalid_signature", "X-Shopify-Hmac-Sha256", "unknown_shop"),
            ("wrong secret", Requests.Webhook(_host.BaseUrl, Order, secret: "wrong"), HttpStatusCode.Unauthorized, "invalid_signature", "X-Shopify-Hmac-Sha256", "bad_signature"),
            ("garbled signature", Replace(Signed(Order), "X-Shopify-Hmac-Sha256", "not base64!"), HttpStatusCode.Unauthorized, "invalid_signature", "X-Shopify-Hmac-Sha256", "bad_signature"),
            ("body over the limit", Signed(new byte[4096]), HttpStatusCode.RequestEntityTooLarge, "body_too_large", "Ingest:MaxBodyBytes", "body_too_large"),
            ("signed, not JSON", Signed("order 42"u8.ToArray()), HttpStatusCode.BadRequest, "invalid_json", "not valid JSON", "invalid_json"),
            ("signed JSON array", Signed("[{\"id\":1}]"u8.ToArray()), HttpStatusCode.BadRequest, "invalid_json", "JSON array", "invalid_json"),
            ("signed, cut short", Signed("{\"id\":1,\"line_items\":["u8.ToArray()), HttpStatusCode.BadRequest, "invalid_json", "not valid JSON", "invalid_json"),
            ("signed, empty", Signed([]), HttpStatusCode.BadRequest, "invalid_json", "empty", "invalid_json"),
            ("replayed after 49 h", Replace(Signed(Order), "X-Shopify-Triggered-At", hoursAgo), HttpStatusCode.BadRequest, "stale_delivery", "Ingest:MaxDeliveryAge", "stale_delivery"),
            ("triggered in the future", Replace(Signed(Order), "X-Shopify-Triggered-At", ahead), HttpStatusCode.BadRequest, "future_delivery", "Ingest:MaxClockSkew", "future_delivery"),
            ("triggered at a local time, not ISO 8601", Replace(Signed(Order), "X-Shopify-Triggered-At", DateTime.UtcNow.ToString("MM/dd/yyyy HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)), HttpStatusCode.BadRequest, "invalid_triggered_at", "X-Shopify-Triggered-At", "invalid_triggered_at"),
            ("triggered on a day, no time", Replace(Signed(Order), "X-Shopify-Triggered-At", DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), HttpStatusCode.BadRequest, "invalid_triggered_at", "X-Shopify-Triggered-At", "invalid_triggered_at"),
            ("triggered at no time", Replace(Signed(Order), "X-Shopify-Triggered-At", "yesterday"), HttpStatusCode.BadRequest, "invalid_triggered_at", "X-Shopify-Triggered-At", "invalid_triggered_at"),
        };

        foreach (var (name, request, status, title, names, _) in cases)
        {
            using var response = await SendAsync(name, request);
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{name}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var (problemTitle, detail) = await Requests.ProblemAsync(response);

            Assert.True(status == response.StatusCode, $"{name}: {response.StatusCode}, not {status}");
            Assert.True(title == problemTitle, $"{name}: {problemTitle}, not {title}");
            Assert.Contains(names, detail, StringComparison.Ordinal);
            Assert.DoesNotContain("other.myshopify.com", detail, StringComparison.Ordinal);
        }

        Assert.Equal(cases.Select(c => c.CountedAs).Order(), outcomes.Reasons("rejected").Order());
        Assert.Empty(kafka.ReadAll(_topic, 1, TimeSpan.FromSeconds(2)));
        // The unverified shop header reaches the log only when it looks like a shop domain.
        using var disguised = await _http.SendAsync(Requests.Webhook(_host.BaseUrl, Order, shop: "ada.lovelace@example.com"));
        Assert.Equal(HttpStatusCode.Unauthorized, disguised.StatusCode);
        Assert.DoesNotContain(_host.Logs.Lines, l => l.Message.Contains("ada.lovelace", StringComparison.Ordinal));
        using var alive = await _http.GetAsync(new Uri(_host.BaseUrl, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task A_streamed_body_over_the_limit_gets_413_while_it_streams_in()
    {
        // No Content-Length, so the limit must hold while the body arrives. Sent whole over a raw socket:
        // the server answers as soon as the limit is passed and closes, which an HttpClient still writing
        // the body would see as a broken pipe instead of the answer.
        var body = Encoding.ASCII.GetBytes($"1000\r\n{new string('x', 4096)}\r\n0\r\n\r\n");
        var head = Encoding.ASCII.GetBytes(
            $"POST /webhooks/shopify HTTP/1.1\r\nHost: {_host.BaseUrl.Authority}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n" +
            $"X-Shopify-Topic: orders/create\r\nX-Shopify-Shop-Domain: {TestSettings.Shop}\r\nX-Shopify-Webhook-Id: streamed\r\n" +
            $"X-Shopify-Hmac-Sha256: {WebhookSignature.Sign(new byte[4096], TestSettings.Secret)}\r\nConnection: close\r\n\r\n");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(_host.BaseUrl.Host, _host.BaseUrl.Port);
        await socket.SendAsync(head.Concat(body).ToArray());

        var answer = await ReadToEndAsync(socket);

        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Contains("body_too_large", answer, StringComparison.Ordinal);
        Assert.Contains("Ingest:MaxBodyBytes", answer, StringComparison.Ordinal);
        Assert.Empty(kafka.ReadAll(_topic, 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_verified_webhook_is_stored_with_its_headers_and_body_before_the_200()
    {
        var triggeredAt = Requests.Now();
        using var request = ShopifySamples.SignedWebhook(_host.BaseUrl, Order, "rotated-secret", "Test-Shop.myshopify.com", webhookId: "delivery-42");
        request.Headers.Add("X-Shopify-Event-Id", "event-7");
        request.Headers.Add("x-shopify-triggered-at", triggeredAt);

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("delivery-42", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var record = Assert.Single(kafka.ReadAll(_topic, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal($"{TestSettings.Shop}/450789469", Encoding.UTF8.GetString(record.Message.Key!));
        var webhook = await TestRecords.Serdes().DeserializeAsync<ShopifyWebhook>(record.Message.Value, record.Topic);
        Assert.Equal("delivery-42", webhook.WebhookId);
        Assert.Equal("orders/create", webhook.Topic);
        Assert.Equal(TestSettings.Shop, webhook.ShopDomain);
        Assert.Equal("2026-07", webhook.ApiVersion);
        Assert.Equal("event-7", webhook.EventId);
        Assert.Equal(triggeredAt, webhook.TriggeredAt);
        Assert.Equal("event-7", webhook.Headers["x-shopify-event-id"]);
        Assert.Equal(Order, webhook.Body);
        Assert.InRange(webhook.ReceivedAt, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1));
    }

    [Theory]
    [InlineData("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'")]
    [InlineData("yyyy-MM-dd'T'HH:mm:ss'Z'")]
    [InlineData("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'")]
    public async Task A_triggered_at_as_Shopify_writes_it_is_accepted(string format)
    {
        using var request = Requests.Webhook(_host.BaseUrl, Order, webhookId: $"iso-{Guid.NewGuid():N}");
        request.Headers.Remove("X-Shopify-Triggered-At");
        request.Headers.Add("X-Shopify-Triggered-At", DateTime.UtcNow.ToString(format, System.Globalization.CultureInfo.InvariantCulture));

        using var response = await _http.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Both_secrets_verify_while_a_secret_is_rotated()
    {
        using var old = await _http.SendAsync(Requests.Webhook(_host.BaseUrl, Order, webhookId: "signed-old", secret: TestSettings.Secret));
        using var rotated = await _http.SendAsync(Requests.Webhook(_host.BaseUrl, Order, webhookId: "signed-new", secret: "rotated-secret"));
        using var neither = await _http.SendAsync(Requests.Webhook(_host.BaseUrl, Order, webhookId: "signed-other", secret: "rotated-secret-2"));

        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, neither.StatusCode);
        var stored = await WebhookIdsAsync(kafka.ReadAll(_topic, 3, TimeSpan.FromSeconds(5)));
        Assert.Equal(["signed-new", "signed-old"], stored.Order());
    }

    [Fact]
    public async Task A_delivery_sent_again_is_answered_200_without_a_second_record_even_in_parallel()
    {
        using var outcomes = new OutcomeCounter("pipeline.ingest.webhooks");
        using var first = await _http.SendAsync(Requests.Webhook(_host.BaseUrl, Order, webhookId: "again"));
        using var again = await _http.SendAsync(Requests.Webhook(_host.BaseUrl, Order, webhookId: "again"));
        var racing = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _http.SendAsync(Requests.Webhook(_host.BaseUrl, Order, webhookId: "racing"))));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("duplicate", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.All(racing, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var stored = await WebhookIdsAsync(kafka.ReadAll(_topic, 4, TimeSpan.FromSeconds(5)));
        Assert.Equal(["again", "racing"], stored.Order());
        Assert.Equal(2, outcomes.Count("accepted"));
        Assert.Equal(20, outcomes.Count("duplicate"));
        foreach (var response in racing)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Two_hundred_parallel_deliveries_each_land_exactly_once()
    {
        var ids = Enumerable.Range(0, 200).Select(i => $"parallel-{i}").ToList();

        var responses = await Task.WhenAll(ids.Select(id => _http.SendAsync(Requests.Webhook(_host.BaseUrl, Requests.Order(id.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), $"cart-{id}"), webhookId: id))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var stored = await WebhookIdsAsync(kafka.ReadAll(_topic, 201, TimeSpan.FromSeconds(5)));
        Assert.Equal(ids.Order(), stored.Order());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Topics_not_written_are_answered_200_counted_and_not_stored()
    {
        using var outcomes = new OutcomeCounter("pipeline.ingest.webhooks");
        using var ignored = await _http.SendAsync(Requests.Webhook(_host.BaseUrl, Order, topic: "products/update"));
        using var written = await _http.SendAsync(Requests.Webhook(_host.BaseUrl, Order, topic: "checkouts/update", webhookId: "checkout-1"));

        Assert.Equal(HttpStatusCode.OK, ignored.StatusCode);
        Assert.Contains("ignored", await ignored.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, written.StatusCode);
        Assert.Equal(["checkout-1"], await WebhookIdsAsync(kafka.ReadAll(_topic, 2, TimeSpan.FromSeconds(3))));
        Assert.Equal(1, outcomes.Count("ignored"));
    }

    [Fact]
    public async Task A_customers_create_is_written_by_default_keyed_by_the_customer_for_the_enrichers_signup()
    {
        using var created = await _http.SendAsync(Requests.Webhook(_host.BaseUrl, ShopifySamples.Fixture("customers-create.json"), topic: "customers/create", webhookId: "customer-1"));

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var record = Assert.Single(kafka.ReadAll(_topic, 1, TimeSpan.FromSeconds(10)));
        // No cart: keyed by the customer's own id, as any webhook without one.
        Assert.Equal($"{TestSettings.Shop}/9007199254748811", Encoding.UTF8.GetString(record.Message.Key!));
        Assert.Equal("customers/create", (await TestRecords.Serdes().DeserializeAsync<ShopifyWebhook>(record.Message.Value, record.Topic)).Topic);
    }

    [Fact]
    public async Task Which_topics_are_written_is_configuration()
    {
        var topics = await kafka.CreateTopicsAsync(partitions: 1);
        var settings = TestSettings.For(kafka.BootstrapServers, topics);
        settings["Ingest:WrittenTopics:0"] = "orders/paid";
        await using var host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());

        using var create = await _http.SendAsync(Requests.Webhook(host.BaseUrl, Order, topic: "orders/create"));
        using var paid = await _http.SendAsync(Requests.Webhook(host.BaseUrl, Order, topic: "orders/paid", webhookId: "paid-1"));

        Assert.Equal(HttpStatusCode.OK, create.StatusCode);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal(["paid-1"], await WebhookIdsAsync(kafka.ReadAll(topics.ShopifyWebhooks.Name, 2, TimeSpan.FromSeconds(3))));
    }

    [Fact]
    public async Task A_body_Kafka_cannot_hold_gets_413_not_a_503_that_Shopify_would_retry_in_vain()
    {
        var topics = await kafka.CreateTopicsAsync(partitions: 1);
        var settings = TestSettings.For(kafka.BootstrapServers, topics);
        settings["Ingest:MaxBodyBytes"] = "3000000";
        await using var roomy = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
        var huge = Encoding.UTF8.GetBytes($$"""{"id":1,"note":"{{new string('x', 1_500_000)}}"}""");

        using var response = await _http.SendAsync(Requests.Webhook(roomy.BaseUrl, huge, webhookId: "huge"));
        using var retried = await _http.SendAsync(Requests.Webhook(roomy.BaseUrl, huge, webhookId: "huge"));

        var (title, detail) = await Requests.ProblemAsync(response);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("record_too_large", title);
        Assert.Contains("Ingest:MaxBodyBytes", detail, StringComparison.Ordinal);
        // Not stored, so not remembered: the same delivery meets the same answer, not a 200 "duplicate".
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, retried.StatusCode);
    }

    [Fact]
    public async Task Health_says_alive_and_ready_when_Kafka_answers()
    {
        using var alive = await _http.GetAsync(new Uri(_host.BaseUrl, "/healthz"));
        using var ready = await _http.GetAsync(new Uri(_host.BaseUrl, "/readyz"));

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task The_duplicate_window_is_bounded_in_memory()
    {
        var deduplicator = _host.Service<DeliveryDeduplicator>();
        var limit = _host.Service<Microsoft.Extensions.Options.IOptions<IngestOptions>>().Value.MaxRememberedDeliveries;
        var ids = Enumerable.Range(0, 1000).Select(i => $"bounded-{i}");

        foreach (var id in ids)
        {
            (await deduplicator.ClaimAsync(TestSettings.Shop, id, TimeSpan.FromSeconds(1), CancellationToken.None)).Claim!.Complete(stored: true);
        }

        Assert.InRange(deduplicator.Count, 1000, limit);
    }

    private static async Task<List<string>> WebhookIdsAsync(IEnumerable<Confluent.Kafka.ConsumeResult<byte[]?, byte[]>> records)
    {
        var serdes = TestRecords.Serdes();
        var ids = new List<string>();
        foreach (var record in records)
        {
            ids.Add((await serdes.DeserializeAsync<ShopifyWebhook>(record.Message.Value, record.Topic)).WebhookId);
        }

        return ids;
    }

    private async Task<HttpResponseMessage> SendAsync(string name, HttpRequestMessage request)
    {
        try
        {
            return await _http.SendAsync(request);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"{name}: {e.Message} {e.InnerException?.Message}", e);
        }
    }

    private HttpRequestMessage Signed(byte[] body) => Requests.Webhook(_host.BaseUrl, body);

    private static async Task<string> ReadToEndAsync(System.Net.Sockets.Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            {
                received.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            // Reset after the answer: what arrived before is the answer.
        }

        return Encoding.UTF8.GetString([.. received]);
    }

    private static HttpRequestMessage Without(HttpRequestMessage request, string header)
    {
        request.Headers.Remove(header);
        return request;
    }

    private static HttpRequestMessage With(HttpRequestMessage request, string header, string value)
    {
        request.Headers.TryAddWithoutValidation(header, value);
        return request;
    }

    private static HttpRequestMessage Replace(HttpRequestMessage request, string header, string value) => With(Without(request, header), header, value);
}
