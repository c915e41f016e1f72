using System.Collections.Concurrent;
using System.Text;
using Streaming.Platform.Avro;
using Streaming.Platform.Kafka;
using Streaming.Records;
using Streaming.TestSupport;

namespace Streaming.Dispatcher.Tests;

/// <summary>The dispatcher as a service, against the test broker and a Pinterest stand-in on loopback.</summary>
[Collection(OnKafka.Name)]
public sealed class DeliveryTests(KafkaFixture kafka) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly AvroSerdes _serdes = TestRecords.Serdes();
    private FakePinterest _pinterest = null!;
    private TestTopics _topics = null!;
    private TestHost? _host;

    public async Task InitializeAsync()
    {
        _pinterest = await FakePinterest.StartAsync();
        _topics = await kafka.CreateTopicsAsync(partitions: 1);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _pinterest.DisposeAsync();
    }

    [Fact]
    public async Task While_Pinterest_is_unavailable_the_batch_waits_and_is_sent_once_it_is_back()
    {
        _pinterest.Respond = (call, _) => call < 2 ? (503, """{"code":0,"message":"Service unavailable"}""") : (200, null);
        await StartAsync();

        await ProduceAsync(TestRecords.Checkout("retry-me"));

        var request = Assert.Single(await _pinterest.WaitForAsync(1, Patience));
        Assert.Equal("retry-me", request.Events.Single().GetProperty("event_id").GetString());
        Assert.Equal(3, _pinterest.Calls);
        Assert.Empty(kafka.ReadAll(_topics.DeadLetters.Name, 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_request_Pinterest_rejects_is_dead_lettered_with_its_answer_and_not_retried()
    {
        _pinterest.Respond = (_, _) => (400, """{"code":4196,"message":"The request was invalid."}""");
        await StartAsync();

        await ProduceAsync(TestRecords.Checkout("bad-1"));

        var letter = await SingleDeadLetterAsync();
        Assert.Equal("pinterest_rejected_400", letter.Reason);
        Assert.Contains("The request was invalid.", letter.Error, StringComparison.Ordinal);
        Assert.Equal(1, _pinterest.Calls);
    }

    [Fact]
    public async Task Only_the_events_Pinterest_reports_as_failed_are_dead_lettered()
    {
        _pinterest.Respond = (_, request) => (200, $$"""
            {"num_events_received":{{request.Events.Count}},"num_events_processed":{{request.Events.Count - 1}},"events":[{{string.Join(",", request.Events.Select(e =>
                e.GetProperty("event_id").GetString() == "broken"
                    ? """{"status":"failed","error_message":"event_time is too old","warning_message":""}"""
                    : """{"status":"processed","error_message":"","warning_message":""}"""))}}]}
            """);
        await ProduceAsync(TestRecords.Checkout("fine-1"), TestRecords.Checkout("broken"), TestRecords.Checkout("fine-2"));
        await StartAsync();

        var letter = await SingleDeadLetterAsync();
        Assert.Equal("pinterest_event_failed", letter.Reason);
        Assert.Equal("event_time is too old", letter.Error);
        var sent = await _serdes.DeserializeAsync<PinterestEvent>(letter.Value, _topics.PinterestEvents.Name);
        Assert.Equal("broken", sent.EventId);
    }

    [Fact]
    public async Task Events_of_an_unknown_shop_are_dead_lettered()
    {
        await StartAsync();
        var stranger = TestRecords.Checkout("x");
        stranger.ShopDomain = "stranger.myshopify.com";

        await ProduceAsync(stranger);

        var letter = await SingleDeadLetterAsync();
        Assert.Equal("unknown_shop", letter.Reason);
        Assert.Equal("stranger.myshopify.com/x", Encoding.UTF8.GetString(letter.Key!));
        Assert.Equal(0, _pinterest.Calls);
    }

    [Fact]
    public async Task A_backlog_goes_out_in_requests_of_at_most_a_thousand_events()
    {
        var backlog = Enumerable.Range(0, 2500).Select(i => TestRecords.Checkout($"e-{i}")).ToArray();
        await ProduceAsync(backlog);
        await StartAsync(maxBatch: 5000);

        var until = DateTime.UtcNow + Patience;
        while (_pinterest.Requests.Sum(r => r.Events.Count) < backlog.Length && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }

        var requests = _pinterest.Requests;
        Assert.All(requests, r => Assert.InRange(r.Events.Count, 1, 1000));
        // How the backlog splits into batches depends on fetch timing; the limit per request does not,
        // and a handful of requests (not thousands) shows the events went out together.
        Assert.InRange(requests.Count, 3, 10);
        Assert.Equal(
            backlog.Select(e => e.EventId).Order(StringComparer.Ordinal),
            requests.SelectMany(r => r.Events).Select(e => e.GetProperty("event_id").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_ramped_down_endpoint_is_a_rejection_not_a_reason_to_wait()
    {
        _pinterest.Respond = (_, _) => (503, """{"code":4197,"message":"The endpoint has been ramped down and is currently not accepting any traffic."}""");
        await StartAsync();

        await ProduceAsync(TestRecords.Checkout("ramped"));

        Assert.Equal("pinterest_rejected_503", (await SingleDeadLetterAsync()).Reason);
        Assert.Equal(1, _pinterest.Calls);
    }

    [Fact]
    public async Task A_partial_failure_422_dead_letters_only_the_events_it_lists_as_failed()
    {
        _pinterest.Respond = (_, request) => (422, $$"""
            {"code":4,"message":"Not all events were successfully processed.","details":{},"events":[{{string.Join(",", request.Events.Select(e =>
                e.GetProperty("event_id").GetString() == "broken"
                    ? """{"status":"failed","error_message":"em is not a hash","warning_message":""}"""
                    : """{"status":"processed","error_message":"","warning_message":""}"""))}}]}
            """);
        await ProduceAsync(TestRecords.Checkout("fine"), TestRecords.Checkout("broken"));
        await StartAsync();

        var letter = await SingleDeadLetterAsync();
        Assert.Equal("pinterest_event_failed", letter.Reason);
        Assert.Equal("broken", (await _serdes.DeserializeAsync<PinterestEvent>(letter.Value, _topics.PinterestEvents.Name)).EventId);
    }

    [Fact]
    public async Task One_shop_waiting_for_Pinterest_neither_holds_back_nor_repeats_another_shops_events()
    {
        // Shop B's ad account is unavailable for its first three calls; shop A's always works.
        var calls = new ConcurrentDictionary<string, int>();
        _pinterest.Respond = (_, request) =>
            request.AdAccountId == "222" && calls.AddOrUpdate("222", 1, (_, n) => n + 1) <= 3 ? (503, """{"code":0}""") : (200, null);
        var settings = TestSettings.For(kafka.BootstrapServers, _topics, _pinterest.BaseUrl);
        settings["Shops:1:Domain"] = "b-shop.myshopify.com";
        settings["Shops:1:WebhookSecrets:0"] = "b-secret";
        settings["Shops:1:Pinterest:AdAccountId"] = "222";
        settings["Shops:1:Pinterest:ConversionToken"] = "b-token";
        settings["Dispatcher:MaxBatchWait"] = "00:00:00.500";
        settings["Dispatcher:MaxRetryBackoff"] = "00:00:01";
        await ProduceAsync(TestRecords.Checkout("a-1"), TestRecords.Checkout("b-1", "b-shop.myshopify.com"));
        _host = await TestHost.StartAsync(settings, b => b.AddDispatcher());

        var delivered = await _pinterest.WaitForAsync(2, Patience);

        Assert.Equal(["a-1", "b-1"], delivered.Select(r => r.Events.Single().GetProperty("event_id").GetString()).Order(StringComparer.Ordinal));
        Assert.Single(delivered, r => r.AdAccountId == TestSettings.AdAccountId);
        Assert.Equal(5, _pinterest.Calls);
    }

    private async Task StartAsync(int maxBatch = 1000)
    {
        var settings = TestSettings.For(kafka.BootstrapServers, _topics, _pinterest.BaseUrl);
        settings["Dispatcher:MaxBatchSize"] = maxBatch.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Dispatcher:MaxBatchWait"] = "00:00:00.500";
        settings["Dispatcher:MaxRetryBackoff"] = "00:00:01";
        _host = await TestHost.StartAsync(settings, b => b.AddDispatcher());
    }

    private async Task ProduceAsync(params PinterestEvent[] events)
    {
        var records = new List<(string, byte[]?)>();
        foreach (var e in events)
        {
            records.Add(($"{e.ShopDomain}/{e.EventId}", await _serdes.SerializeAsync(e, _topics.PinterestEvents.Name)));
        }

        await kafka.ProduceAsync(_topics.PinterestEvents.Name, records);
    }

    private async Task<DeadLetter> SingleDeadLetterAsync()
    {
        var record = Assert.Single(kafka.ReadAll(_topics.DeadLetters.Name, 1, Patience));
        var letter = await _serdes.DeserializeAsync<DeadLetter>(record.Message.Value, record.Topic);
        Assert.Equal("dispatcher", letter.Service);
        Assert.Equal(_topics.PinterestEvents.Name, letter.SourceTopic);
        Assert.Equal(record.Message.Key, letter.Key);
        Assert.NotNull(letter.Value);
        return letter;
    }
}
