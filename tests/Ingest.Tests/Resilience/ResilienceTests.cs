using System.Net.Sockets;
using Streaming.Development.Kafka;
using Streaming.Ingest.Requests;

namespace Streaming.Ingest.Tests.Resilience;

/// <summary>Ingest under faults and abuse: stalled senders, an unreachable or slow broker, a shutdown mid-request.</summary>
[Collection(OnKafka.Name)]
public sealed class ResilienceTests(KafkaFixture kafka)
{
    [Fact]
    public async Task Stalled_senders_with_bogus_signatures_hold_no_more_than_the_budget_and_are_answered()
    {
        var topics = await kafka.CreateTopicsAsync(partitions: 1);
        var settings = TestSettings.For(kafka.BootstrapServers, topics);
        settings["Ingest:MaxBytesInFlight"] = (16 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Ingest:BodyTimeout"] = "00:00:02";
        await using var host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
        var budget = host.Service<InFlightBudget>();
        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        // 300 connections each send 899,999 of the 900,000 bytes they announce, then stall.
        var senders = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => StallingSender.StartAsync(host.BaseUrl, 900_000, 899_999)));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var heapWhileStalled = GC.GetTotalMemory(forceFullCollection: true);
        var answers = await Task.WhenAll(senders.Select(s => s.ReadStatusAsync(TimeSpan.FromSeconds(15))));
        foreach (var sender in senders)
        {
            sender.Dispose();
        }

        Assert.InRange(budget.Peak, 1, budget.Limit);
        Assert.Equal(0, budget.Used);
        // Unbounded, 300 buffered bodies alone are 270 MB.
        Assert.InRange(heapWhileStalled - heapBefore, long.MinValue, 100L * 1024 * 1024);
        Assert.All(answers, status => Assert.True(status is 503 or 408, $"answered {status}"));
        Assert.Contains(503, answers);
        Assert.Contains(408, answers);
        using var http = new HttpClient();
        using var alive = await http.GetAsync(new Uri(host.BaseUrl, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task A_body_that_does_not_arrive_in_time_is_logged_in_one_short_line_and_counted()
    {
        var topics = await kafka.CreateTopicsAsync(partitions: 1);
        var settings = TestSettings.For(kafka.BootstrapServers, topics);
        settings["Ingest:BodyTimeout"] = "00:00:01";
        await using var host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
        using var webhooks = new OutcomeCounter("pipeline.ingest.webhooks");
        using var storefront = new OutcomeCounter("pipeline.ingest.storefront_events");
        var before = host.Logs.Lines.Count;

        var statuses = new List<int>();
        foreach (var path in new[] { "/webhooks/shopify", "/collect", "/webhooks/shopify", "/collect" })
        {
            using var sender = await StallingSender.StartAsync(host.BaseUrl, 100, 10, path: path);
            statuses.Add(await sender.ReadStatusAsync(TimeSpan.FromSeconds(10)));
        }

        // Kestrel writes its own line, if any, once the connection is done with.
        using var http = new HttpClient();
        using var alive = await http.GetAsync(new Uri(host.BaseUrl, "/healthz"));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var lines = host.Logs.Lines.Skip(before).Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Information && l.Category != "Librdkafka").ToList();

        Assert.Equal([408, 408, 408, 408], statuses);
        Assert.Equal(["body_timeout", "body_timeout"], webhooks.Reasons("rejected"));
        Assert.Equal(["body_timeout", "body_timeout"], storefront.Reasons("rejected"));
        Assert.True(lines.Count == 4, string.Join("\n", lines.Select(l => $"{l.Level} {l.Category}: {l.Message}")));
        Assert.All(lines, l => Assert.Contains("body_timeout", l.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Message.Contains("   at ", StringComparison.Ordinal) || l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task A_client_that_leaves_mid_body_is_logged_in_one_line_without_a_stack_trace()
    {
        var topics = await kafka.CreateTopicsAsync(partitions: 1);
        await using var host = await TestHost.StartAsync(TestSettings.For(kafka.BootstrapServers, topics), b => b.AddIngest(), app => app.MapIngest());

        for (var i = 0; i < 20; i++)
        {
            using var sender = await StallingSender.StartAsync(host.BaseUrl, 10_000, 5_000);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.DoesNotContain(host.Logs.Lines, l => l.Message.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readiness_against_an_unreachable_broker_never_keeps_liveness_waiting()
    {
        var settings = TestSettings.For("127.0.0.1:1", TestTopics.Defaults());
        settings["Kafka:ProvisioningTimeout"] = "00:00:01";
        await using var host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var probes = Enumerable.Range(0, 300).Select(_ => http.GetAsync(new Uri(host.BaseUrl, "/readyz"))).ToList();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        // Each probe blocks for up to 3 s; with one probe at a time, liveness answers while it runs.
        using var quick = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var alive = await quick.GetAsync(new Uri(host.BaseUrl, "/healthz"));
        var ready = await Task.WhenAll(probes);

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.All(ready, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        foreach (var response in ready)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task With_the_broker_down_both_endpoints_answer_503_and_the_retry_after_recovery_is_stored_once()
    {
        var (broker, topics) = TestTopics.OnOwnBroker();
        using var owned = broker;

        var settings = TestSettings.For(broker.BootstrapServers, topics);
        settings["Ingest:AckTimeout"] = "00:00:02";
        await using var host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
        using var http = new HttpClient();
        var order = Requests.Order("9007199254740993", "cart-down");
        var envelope = Requests.Envelope(cartToken: "cart-down");

        broker.TakeDown();
        using var webhookDown = await http.SendAsync(Requests.Webhook(host.BaseUrl, order, webhookId: "during-outage"));
        using var collectDown = await http.SendAsync(Requests.Collect(host.BaseUrl, envelope));
        broker.Restore();
        var webhookRetry = await RetryUntilAsync(() => http.SendAsync(Requests.Webhook(host.BaseUrl, order, webhookId: "during-outage")), HttpStatusCode.OK);
        var collectRetry = await RetryUntilAsync(() => http.SendAsync(Requests.Collect(host.BaseUrl, envelope)), HttpStatusCode.Accepted);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, webhookDown.StatusCode);
        Assert.Equal("kafka_unavailable", (await Requests.ProblemAsync(webhookDown)).Title);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, collectDown.StatusCode);
        Assert.NotNull(collectDown.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, webhookRetry);
        Assert.Equal(HttpStatusCode.Accepted, collectRetry);
        var webhooks = ReadAll(broker, topics.ShopifyWebhooks.Name, 2);
        var serdes = TestRecords.Serdes();
        var stored = Assert.Single(webhooks);
        Assert.Equal("during-outage", (await serdes.DeserializeAsync<ShopifyWebhook>(stored.Message.Value, stored.Topic)).WebhookId);
        Assert.NotEmpty(ReadAll(broker, topics.StorefrontEvents.Name, 1));
    }

    [Fact]
    public async Task On_shutdown_a_request_in_flight_finishes_with_its_200_and_its_record_is_stored()
    {
        var (broker, topics) = TestTopics.OnOwnBroker();
        using var owned = broker;

        var host = await TestHost.StartAsync(TestSettings.For(broker.BootstrapServers, topics), b => b.AddIngest(), app => app.MapIngest());
        using var http = new HttpClient();
        // Warm up: the producer connects before the broker turns slow.
        using var warm = await http.SendAsync(Requests.Webhook(host.BaseUrl, Requests.Order("1", null), webhookId: "warm-up"));
        broker.SetRoundTrip(TimeSpan.FromMilliseconds(1500));

        var inFlight = http.SendAsync(Requests.Webhook(host.BaseUrl, Requests.Order("2", null), webhookId: "in-flight"));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var stopping = host.DisposeAsync().AsTask();
        using var response = await inFlight;
        await stopping;
        broker.SetRoundTrip(TimeSpan.Zero);

        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var serdes = TestRecords.Serdes();
        var ids = new List<string>();
        foreach (var record in ReadAll(broker, topics.ShopifyWebhooks.Name, 3))
        {
            ids.Add((await serdes.DeserializeAsync<ShopifyWebhook>(record.Message.Value, record.Topic)).WebhookId);
        }

        Assert.Equal(["in-flight", "warm-up"], ids.Order());
    }

    [Fact]
    public async Task An_order_its_checkout_and_its_storefront_events_land_on_the_same_partition_number()
    {
        var topics = await kafka.CreateTopicsAsync(partitions: 6);
        await using var host = await TestHost.StartAsync(TestSettings.For(kafka.BootstrapServers, topics), b => b.AddIngest(), app => app.MapIngest());
        using var http = new HttpClient();
        var carts = Enumerable.Range(0, 12).Select(i => $"Z2NwLXVzLWVhc3QxOjAxSkNBUlQ{i:D2}").ToList();

        foreach (var (cart, i) in carts.Select((c, i) => (c, i)))
        {
            using var order = await http.SendAsync(Requests.Webhook(host.BaseUrl, Requests.Order($"{9_007_199_254_740_993L + i}", cart), webhookId: $"order-{i}"));
            using var checkout = await http.SendAsync(Requests.Webhook(host.BaseUrl, Requests.Checkout($"checkout-{i}", cart), topic: "checkouts/create", webhookId: $"checkout-{i}"));
            using var viewed = await http.SendAsync(Requests.Collect(host.BaseUrl, Requests.Envelope(cartToken: cart)));
            using var completed = await http.SendAsync(Requests.Collect(host.BaseUrl, Requests.Envelope(cartToken: cart, name: "checkout_completed")));
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Accepted, HttpStatusCode.Accepted], new[] { order.StatusCode, checkout.StatusCode, viewed.StatusCode, completed.StatusCode });
        }

        var webhooks = kafka.ReadAll(topics.ShopifyWebhooks.Name, 24, TimeSpan.FromSeconds(15));
        var events = kafka.ReadAll(topics.StorefrontEvents.Name, 24, TimeSpan.FromSeconds(15));
        Assert.Equal(24, webhooks.Count);
        Assert.Equal(24, events.Count);
        var partitionsPerCart = webhooks.Concat(events)
            .GroupBy(r => Encoding.UTF8.GetString(r.Message.Key!))
            .ToDictionary(g => g.Key, g => g.Select(r => r.Partition.Value).Distinct().ToList());
        Assert.Equal(carts.Select(c => $"{TestSettings.Shop}/{c}").Order(), partitionsPerCart.Keys.Order());
        Assert.All(partitionsPerCart, cart => Assert.Single(cart.Value));
        // The carts spread over the partitions: the key decides, not one default partition.
        Assert.True(partitionsPerCart.Values.Select(p => p[0]).Distinct().Count() > 1);
    }

    private static async Task<HttpStatusCode> RetryUntilAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode wanted)
    {
        var status = HttpStatusCode.ServiceUnavailable;
        for (var attempt = 0; attempt < 15 && status != wanted; attempt++)
        {
            using var response = await send();
            status = response.StatusCode;
            if (status != wanted)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }

        return status;
    }

    private static List<Confluent.Kafka.ConsumeResult<byte[]?, byte[]>> ReadAll(EmbeddedKafkaCluster broker, string topic, int atMost) =>
        KafkaFixture.ReadAll(broker.BootstrapServers, topic, atMost, TimeSpan.FromSeconds(5));
}
