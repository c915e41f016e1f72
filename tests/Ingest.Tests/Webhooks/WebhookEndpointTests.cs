using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Streaming.Platform.Telemetry;
using Streaming.TestSupport;

namespace Streaming.Ingest.Tests.Webhooks;

/// <summary>Ingest on real Kestrel at 127.0.0.1 against the test broker.</summary>
[Collection(OnKafka.Name)]
public sealed class WebhookEndpointTests(KafkaFixture kafka) : IAsyncLifetime
{
    private static readonly byte[] Order = """{"id":450789469,"source_name":"web"}"""u8.ToArray();

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
    public async Task Bad_requests_get_a_status_and_a_message_naming_the_problem_are_counted_and_store_nothing()
    {
        using var rejections = new RejectionCounter();
        var cases = new (HttpRequestMessage Request, HttpStatusCode Status, string Reason, string Names)[]
        {
            (Without(Signed(Order), "X-Shopify-Hmac-Sha256"), HttpStatusCode.Unauthorized, "missing_signature", "X-Shopify-Hmac-Sha256"),
            (Without(Signed(Order), "X-Shopify-Topic"), HttpStatusCode.BadRequest, "missing_header", "X-Shopify-Topic"),
            (Without(Signed(Order), "X-Shopify-Shop-Domain"), HttpStatusCode.BadRequest, "missing_header", "X-Shopify-Shop-Domain"),
            (Without(Signed(Order), "X-Shopify-Webhook-Id"), HttpStatusCode.BadRequest, "missing_header", "X-Shopify-Webhook-Id"),
            (ShopifySamples.SignedWebhook(_host.BaseUrl, Order, TestSettings.Secret, "other.myshopify.com"), HttpStatusCode.Unauthorized, "unknown_shop", "other.myshopify.com"),
            (ShopifySamples.SignedWebhook(_host.BaseUrl, Order, "wrong", TestSettings.Shop), HttpStatusCode.Unauthorized, "bad_signature", TestSettings.Shop),
            (Signed(new byte[4096]), HttpStatusCode.RequestEntityTooLarge, "body_too_large", "Ingest:MaxBodyBytes"),
            (Chunked(Signed(new byte[4096])), HttpStatusCode.RequestEntityTooLarge, "body_too_large", "Ingest:MaxBodyBytes"),
        };

        foreach (var (request, status, reason, names) in cases)
        {
            using var response = await _http.SendAsync(request);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

            Assert.Equal(status, response.StatusCode);
            Assert.Equal(reason, problem.GetProperty("title").GetString());
            Assert.Contains(names, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(cases.Select(c => c.Reason).Order(), rejections.Reasons.Order());
        Assert.Empty(kafka.ReadAll(_topic, 1, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_verified_webhook_is_stored_with_its_headers_and_body_before_the_200()
    {
        using var request = ShopifySamples.SignedWebhook(_host.BaseUrl, Order, "rotated-secret", "Test-Shop.myshopify.com", webhookId: "delivery-42");
        request.Headers.Add("X-Shopify-Event-Id", "event-7");
        request.Headers.Add("x-shopify-triggered-at", "2026-11-25T10:00:00.000000Z");

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = Assert.Single(kafka.ReadAll(_topic, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal($"{TestSettings.Shop}/450789469", Encoding.UTF8.GetString(record.Message.Key!));
        var webhook = await TestRecords.Serdes()
            .DeserializeAsync<Streaming.Records.ShopifyWebhook>(record.Message.Value, record.Topic);
        Assert.Equal("delivery-42", webhook.WebhookId);
        Assert.Equal("orders/create", webhook.Topic);
        Assert.Equal(TestSettings.Shop, webhook.ShopDomain);
        Assert.Equal("2026-07", webhook.ApiVersion);
        Assert.Equal("event-7", webhook.EventId);
        Assert.Equal("2026-11-25T10:00:00.000000Z", webhook.TriggeredAt);
        Assert.Equal("event-7", webhook.Headers["x-shopify-event-id"]);
        Assert.Equal(Order, webhook.Body);
        Assert.InRange(webhook.ReceivedAt, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1));
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
    public async Task A_body_Kafka_cannot_hold_gets_413_not_a_503_that_Shopify_would_retry_in_vain()
    {
        var topics = await kafka.CreateTopicsAsync(partitions: 1);
        var settings = TestSettings.For(kafka.BootstrapServers, topics);
        settings["Ingest:MaxBodyBytes"] = "3000000";
        await using var roomy = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
        var huge = Encoding.UTF8.GetBytes($$"""{"id":1,"note":"{{new string('x', 1_500_000)}}"}""");

        using var response = await _http.SendAsync(ShopifySamples.SignedWebhook(roomy.BaseUrl, huge, TestSettings.Secret, TestSettings.Shop));

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("record_too_large", problem.GetProperty("title").GetString());
        Assert.Contains("Ingest:MaxBodyBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private HttpRequestMessage Signed(byte[] body) => ShopifySamples.SignedWebhook(_host.BaseUrl, body, TestSettings.Secret, TestSettings.Shop);

    // No Content-Length: the limit must hold while the body streams in.
    private static HttpRequestMessage Chunked(HttpRequestMessage request)
    {
        var bytes = request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        request.Content = new StreamContent(new MemoryStream(bytes));
        request.Headers.TransferEncodingChunked = true;
        return request;
    }

    private static HttpRequestMessage Without(HttpRequestMessage request, string header)
    {
        request.Headers.Remove(header);
        return request;
    }

    /// <summary>Listens to the pipeline.ingest.webhooks counter for rejected requests.</summary>
    private sealed class RejectionCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<string> _reasons = [];

        public RejectionCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PipelineTelemetry.Name && instrument.Name == "pipeline.ingest.webhooks")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                var all = tags.ToArray();
                if (all.Any(t => t.Key == "outcome" && (string?)t.Value == "rejected"))
                {
                    lock (_reasons)
                    {
                        _reasons.Add((string)all.Single(t => t.Key == "reason").Value!);
                    }
                }
            });
            _listener.Start();
        }

        public IReadOnlyList<string> Reasons
        {
            get
            {
                lock (_reasons)
                {
                    return [.. _reasons];
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
