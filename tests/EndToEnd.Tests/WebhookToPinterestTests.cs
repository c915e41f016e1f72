using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Streaming.Kafka.Avro;

namespace Streaming.EndToEnd.Tests;

/// <summary>
/// The whole path on real parts: Kestrel on loopback, a Kafka protocol broker, Avro in the Confluent wire
/// format, and an HTTP Pinterest stand-in. Each service runs in a host of its own, with its own in-memory
/// schema registry, as separate processes would.
/// </summary>
[Collection(OnKafka.Name)]
public sealed partial class WebhookToPinterestTests(KafkaFixture kafka) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = PipelineRig.Patience;
    private readonly PipelineRig _rig = new(kafka);

    public Task InitializeAsync() => _rig.InitializeAsync();

    public Task DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task A_signed_web_order_reaches_Pinterest_as_one_checkout_event()
    {
        var ingest = await StartPipelineAsync();
        var order = ShopifySamples.WebOrder();

        using var response = await _rig.Http.SendAsync(ShopifySamples.SignedWebhook(ingest, order, TestSettings.Secret, TestSettings.Shop));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(await _rig.Pinterest.WaitForAsync(1, Patience));
        Assert.Equal(TestSettings.AdAccountId, request.AdAccountId);
        Assert.Equal($"Bearer {TestSettings.ConversionToken}", request.Authorization);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Equal("", request.Query);

        // From tests/Fixtures/shopify/orders-create-web.json: the id is 2^53 + 1 (through a double it would end in 2),
        // the e-mail "  Zoe.Angstrom@Example.NET " (customer.email differs only in case), and the subtotal the
        // shopper paid: 113.62 in the presentment currency EUR (the shop's books say 123.50 USD).
        AssertCheckoutEvent(
            Assert.Single(request.Events),
            orderId: "9007199254740993",
            createdAt: "2026-02-11T09:26:53-05:00",
            email: "zoe.angstrom@example.net",
            value: "113.62",
            currency: "EUR");
        var userData = Assert.Single(request.Events).GetProperty("user_data");
        Assert.Equal("198.51.100.23", userData.GetProperty("client_ip_address").GetString());
        Assert.Equal("dj0yJnU9S0tmaXh0dXJlJm49WmVvJm09Mg", userData.GetProperty("click_id").GetString());
        Assert.Equal(Sha256Hex("de"), Assert.Single(userData.GetProperty("country").EnumerateArray()).GetString());

        // Exactly one: a second request would mean a record was handled twice.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _rig.Pinterest.Calls);
    }

    [Fact]
    public async Task Of_all_order_cart_and_checkout_fixtures_only_the_created_web_order_reaches_Pinterest()
    {
        var ingest = await StartPipelineAsync();
        (string File, string Topic)[] deliveries =
        [
            ("carts-create.json", "carts/create"),
            ("carts-update.json", "carts/update"),
            ("checkouts-create.json", "checkouts/create"),
            ("checkouts-update-no-cart.json", "checkouts/update"),
            ("orders-create-pos.json", "orders/create"),
            ("orders-create-draft.json", "orders/create"),
            ("orders-create-subscription.json", "orders/create"),
            ("orders-create-test.json", "orders/create"),
            ("orders-create-web.json", "orders/create"),
            ("orders-paid.json", "orders/paid"),
            ("orders-cancelled.json", "orders/cancelled"),
        ];

        Assert.Empty(await DeliverAsync(ingest, deliveries.Select(d => (d.File, d.Topic, ShopifySamples.Fixture(d.File)))));
        await _rig.Pinterest.WaitForAsync(1, Patience);
        // Anything else mapped by mistake would be on its way too: give it time to show up.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var sent = Assert.Single(Assert.Single(_rig.Pinterest.Requests).Events);
        Assert.Equal("9007199254740993", sent.GetProperty("event_id").GetString());
    }

    [Fact]
    public async Task A_wrong_signature_gets_401_and_nothing_reaches_Kafka()
    {
        var ingest = await StartPipelineAsync(ingestOnly: true);
        var order = ShopifySamples.WebOrder();
        var forged = ShopifySamples.SignedWebhook(ingest, order, "not-the-shop-secret", TestSettings.Shop, webhookId: "forged");
        var genuine = ShopifySamples.SignedWebhook(ingest, order, TestSettings.Secret, TestSettings.Shop, webhookId: "genuine");

        using var rejected = await _rig.Http.SendAsync(forged);
        using var accepted = await _rig.Http.SendAsync(genuine);

        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Equal("application/problem+json", rejected.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-Shopify-Hmac-Sha256", await rejected.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        // The genuine delivery was acknowledged after the forged one was refused: had the forged one been
        // written, it would be on the topic too.
        var records = kafka.ReadAll(_rig.WebhookTopic, count: 2, within: TimeSpan.FromSeconds(5));
        var stored = Assert.Single(records);
        var webhook = await TestRecords.Serdes()
            .DeserializeAsync<ShopifyWebhook>(stored.Message.Value, stored.Topic);
        Assert.Equal("genuine", webhook.WebhookId);
        Assert.Equal(order, webhook.Body);
    }

    [Fact]
    public async Task With_the_broker_down_a_webhook_gets_503_and_after_it_is_back_200()
    {
        // Fault injection needs a broker the test can stop: this one is always the mock cluster.
        var (broker, topics) = TestTopics.OnOwnBroker();
        using var owned = broker;

        var settings = TestSettings.For(broker.BootstrapServers, topics);
        settings["Ingest:AckTimeout"] = "00:00:02";
        // Disposed before the broker it uses (declared after it).
        await using var host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
        var order = ShopifySamples.WebOrder();

        using var before = await _rig.Http.SendAsync(ShopifySamples.SignedWebhook(host.BaseUrl, order, TestSettings.Secret, TestSettings.Shop));
        broker.TakeDown();
        using var during = await _rig.Http.SendAsync(ShopifySamples.SignedWebhook(host.BaseUrl, order, TestSettings.Secret, TestSettings.Shop));
        using var readiness = await _rig.Http.GetAsync(new Uri(host.BaseUrl, "/readyz"));
        broker.Restore();
        // The producer reconnects with librdkafka's backoff (up to reconnect.backoff.max.ms), which can outlast one
        // 2 s ack timeout on a busy machine: Shopify retries a 503, and so does this test, for a bounded time.
        var after = await _rig.Http.SendAsync(ShopifySamples.SignedWebhook(host.BaseUrl, order, TestSettings.Secret, TestSettings.Shop));
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); after.StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline;)
        {
            after.Dispose();
            after = await _rig.Http.SendAsync(ShopifySamples.SignedWebhook(host.BaseUrl, order, TestSettings.Secret, TestSettings.Shop));
        }

        using var recovered = after;

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Contains("Kafka did not acknowledge", await during.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task Without_a_conversion_token_the_dispatcher_writes_the_request_to_the_dry_run_file()
    {
        _rig.Settings["Shops:0:Pinterest:ConversionToken"] = "";
        _rig.Settings["Shops:0:Pinterest:TestMode"] = "true";
        var ingest = await StartPipelineAsync();
        var dryRunFile = _rig.Settings["Pinterest:DryRunFile"]!;

        using var response = await _rig.Http.SendAsync(
            ShopifySamples.SignedWebhook(ingest, ShopifySamples.RepositoryDemoOrder(), TestSettings.Secret, TestSettings.Shop));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = await WaitForLineAsync(dryRunFile);
        using var written = JsonDocument.Parse(line);
        Assert.Equal("POST", written.RootElement.GetProperty("method").GetString());
        Assert.Equal(
            new Uri(_rig.Pinterest.BaseUrl, $"/v5/ad_accounts/{TestSettings.AdAccountId}/events?test=true"),
            new Uri(written.RootElement.GetProperty("url").GetString()!));
        var sent = Assert.Single(written.RootElement.GetProperty("body").GetProperty("data").EnumerateArray());
        Assert.Equal("5820391846711", sent.GetProperty("event_id").GetString());
        Assert.Equal(Sha256Hex("ada.lovelace@example.com"), sent.GetProperty("user_data").GetProperty("em")[0].GetString());
        Assert.Equal(0, _rig.Pinterest.Calls);
    }

    private async Task<Uri> StartPipelineAsync(bool ingestOnly = false)
    {
        var ingest = await _rig.StartAsync(b => b.AddIngest(), app => app.MapIngest());
        if (!ingestOnly)
        {
            await _rig.StartAsync(b => b.AddEnricher());
            await _rig.StartAsync(b => b.AddDispatcher());
        }

        return ingest.BaseUrl;
    }

    /// <summary>Posts each body signed for the test shop, one after the other; returns those not answered 200.</summary>
    private async Task<List<string>> DeliverAsync(Uri ingest, IEnumerable<(string Name, string Topic, byte[] Body)> deliveries)
    {
        var refused = new List<string>();
        foreach (var (name, topic, body) in deliveries)
        {
            using var response = await _rig.Http.SendAsync(ShopifySamples.SignedWebhook(ingest, body, TestSettings.Secret, TestSettings.Shop, topic: topic));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                refused.Add($"{name} ({topic}): {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        return refused;
    }

    /// <summary>The event the enricher makes of an online-store order: a checkout keyed by the order id.</summary>
    private static void AssertCheckoutEvent(JsonElement sent, string orderId, string createdAt, string email, string value, string currency)
    {
        Assert.Equal("checkout", sent.GetProperty("event_name").GetString());
        Assert.Equal("web", sent.GetProperty("action_source").GetString());
        Assert.Equal(DateTimeOffset.Parse(createdAt, CultureInfo.InvariantCulture).ToUnixTimeSeconds(), sent.GetProperty("event_time").GetInt64());
        Assert.Equal(orderId, sent.GetProperty("event_id").GetString());
        var hashed = Assert.Single(sent.GetProperty("user_data").GetProperty("em").EnumerateArray());
        Assert.Equal(Sha256Hex(email), hashed.GetString());
        var custom = sent.GetProperty("custom_data");
        Assert.Equal(JsonValueKind.String, custom.GetProperty("value").ValueKind);
        Assert.Equal(value, custom.GetProperty("value").GetString());
        Assert.Equal(currency, custom.GetProperty("currency").GetString());
        Assert.Equal(orderId, custom.GetProperty("order_id").GetString());
    }

    private static async Task<string> WaitForLineAsync(string path)
    {
        var until = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < until)
        {
            if (File.Exists(path) && (await File.ReadAllLinesAsync(path)).FirstOrDefault(l => l.Length > 0) is { } line)
            {
                return line;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Nothing was written to {path} in {Patience.TotalSeconds} s.");
    }

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
