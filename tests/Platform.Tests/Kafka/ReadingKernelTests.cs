using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Avro.Specific;

namespace Streaming.Platform.Tests.Kafka;

/// <summary>The consumer loop reads through the kernel: what waits for the registry, what goes on, and what each record's trace becomes.</summary>
[Collection(OnKafka.Name)]
public sealed class ReadingKernelTests(KafkaFixture kafka) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    // Longer than max.poll.interval.ms: a loop that stopped polling while a record waited would leave its group.
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);

    private TestTopics _topics = null!;
    private SchemaRegistryStandIn _registry = null!;

    public async Task InitializeAsync()
    {
        _topics = await kafka.CreateTopicsAsync(partitions: 1);
        _registry = await SchemaRegistryStandIn.StartAsync();
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task A_record_of_an_unseen_schema_waits_with_its_partition_in_order_while_other_partitions_and_poison_go_on()
    {
        var handler = new RecordingHandler();
        await using var host = await StartAsync(handler, maxPollInterval: "5000");
        // Seen before the outage: the outcomes' schema, and the dead-letter topic's.
        await ProduceAsync(_topics.EnrichmentOutcomes.Name, "outcome-0", Outcome("outcome-0"));
        await ProduceAsync(_topics.EnrichmentOutcomes.Name, "poison-0", "not avro"u8.ToArray());
        await WaitUntilAsync(() => handler.Handled.Contains("outcome-0") && DeadLetterCount() == 1, "the records before the outage", host);

        _registry.Reachable = false;
        var outageStarted = DateTime.UtcNow;
        await ProduceAsync(_topics.PinterestEvents.Name, "event-1", TestRecords.Checkout("event-1"));
        await ProduceAsync(_topics.PinterestEvents.Name, "event-2", TestRecords.Checkout("event-2"));
        await ProduceAsync(_topics.EnrichmentOutcomes.Name, "outcome-1", Outcome("outcome-1"));
        await ProduceAsync(_topics.EnrichmentOutcomes.Name, "poison-1", "not avro either"u8.ToArray());
        await ProduceAsync(_topics.EnrichmentOutcomes.Name, "outcome-2", Outcome("outcome-2"));

        // The other partition goes on, past its poison, while the events wait for the registry.
        await WaitUntilAsync(() => handler.Handled.Contains("outcome-2") && DeadLetterCount() == 2, "the outcomes behind the poison", host);
        Assert.DoesNotContain("event-1", handler.Handled);
        await Task.Delay(Outage - (DateTime.UtcNow - outageStarted) is { Ticks: > 0 } left ? left : TimeSpan.Zero);
        Assert.DoesNotContain("event-1", handler.Handled);
        _registry.Reachable = true;

        await WaitUntilAsync(() => handler.Handled.Contains("event-2"), "the events after the outage", host);
        var handled = handler.Handled;
        Assert.True(handled.IndexOf("event-1") < handled.IndexOf("event-2"), string.Join(", ", handled));
        Assert.Equal(1, handled.Count(id => id == "event-1"));
        Assert.NotEmpty(_registry.Refused);
        Assert.Contains(host.Logs.Lines, l => l.Message.Contains("cannot be read yet", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Message.Contains("gave up", StringComparison.Ordinal) || l.Message.Contains(" lost ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_batch_span_is_a_child_of_its_first_records_trace_and_links_every_other_records_trace()
    {
        using var spans = new SpanRecorder(a =>
            a.OperationName.EndsWith(" process", StringComparison.Ordinal) && a.OperationName.Contains(_topics.PinterestEvents.Name, StringComparison.Ordinal));
        var traces = Enumerable.Range(0, 3).Select(_ => new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded)).ToList();
        var bytes = await TestRecords.Serdes().SerializeAsync(TestRecords.Checkout("traced"), _topics.PinterestEvents.Name);
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, LingerMs = 50 }).Build())
        {
            // Two records of the second trace: it is linked once.
            foreach (var trace in traces.Append(traces[1]))
            {
                var headers = new Headers { { "traceparent", Encoding.UTF8.GetBytes($"00-{trace.TraceId}-{trace.SpanId}-01") } };
                producer.Produce(_topics.PinterestEvents.Name, new Message<string, byte[]> { Key = "traced", Value = bytes, Headers = headers });
            }

            producer.Flush(TimeSpan.FromSeconds(10));
        }

        var handler = new RecordingHandler();
        await using var host = await StartAsync(handler, registry: false);
        await WaitUntilAsync(() => handler.Handled.Count == 4, "the four records", host);

        var span = Assert.Single(spans.Ended());
        Assert.Equal(traces[0].TraceId, span.TraceId);
        Assert.Equal(traces[0].SpanId, span.ParentSpanId);
        Assert.Equal(new[] { traces[1], traces[2] }.Select(t => t.TraceId), span.Links.Select(l => l.Context.TraceId));
        Assert.Equal(traces.Append(traces[1]).Select(t => t.SpanId), handler.Parents.Select(p => p.SpanId));
    }

    private async Task<TestHost> StartAsync(RecordingHandler handler, string? maxPollInterval = null, bool registry = true)
    {
        var settings = TestSettings.For(kafka.BootstrapServers, _topics);
        if (registry)
        {
            settings.Remove("SchemaRegistry:UseInMemoryRegistry");
            settings["SchemaRegistry:Url"] = _registry.BaseUrl.ToString();
        }

        if (maxPollInterval is not null)
        {
            settings["Kafka:Client:max.poll.interval.ms"] = maxPollInterval;
        }

        return await TestHost.StartAsync(settings, builder =>
        {
            builder.AddPipelinePlatform();
            builder.Services.AddSingleton(handler);
            builder.Services.AddConsumerLoop<ISpecificRecord, RecordingHandler>(_ => new ConsumerLoopSettings(
                "kernel-test",
                [new ConsumedTopic(_topics.PinterestEvents.Name, typeof(PinterestEvent)), new ConsumedTopic(_topics.EnrichmentOutcomes.Name, typeof(EnrichmentOutcome))],
                $"kernel-{Guid.NewGuid():N}",
                MaxBatchSize: 10,
                MaxBatchWait: TimeSpan.FromMilliseconds(20),
                MaxRetryBackoff: TimeSpan.FromSeconds(1)));
        });
    }

    private static EnrichmentOutcome Outcome(string id) => new()
    {
        ShopDomain = TestSettings.Shop,
        Input = "webhook",
        EventId = id,
        Outcome = "sent",
        OccurredAt = DateTime.UtcNow,
    };

    private async Task ProduceAsync(string topic, string key, ISpecificRecord value) =>
        await ProduceAsync(topic, key, await TestRecords.Serdes().SerializeAsync(value, topic));

    private Task ProduceAsync(string topic, string key, byte[] value) => kafka.ProduceAsync(topic, [(key, value)]);

    private int DeadLetterCount() => kafka.ReadAll(_topics.DeadLetters.Name, int.MaxValue, TimeSpan.FromMilliseconds(300)).Count;

    private static async Task WaitUntilAsync(Func<bool> condition, string what, TestHost host)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Waited {Patience.TotalSeconds} s for {what}. Logs:\n{string.Join('\n', host.Logs.Lines.Select(l => l.Message))}");
            await Task.Delay(100);
        }
    }

    /// <summary>Records the id of every record it is handed, in order, and the trace each came with.</summary>
    private sealed class RecordingHandler : IRecordBatchHandler<ISpecificRecord>
    {
        private readonly ConcurrentQueue<string> _handled = new();
        private readonly ConcurrentQueue<ActivityContext> _parents = new();

        public List<string> Handled => [.. _handled];

        public List<ActivityContext> Parents => [.. _parents];

        public Task HandleAsync(IReadOnlyList<ConsumedRecord<ISpecificRecord>> batch, CancellationToken cancellationToken)
        {
            foreach (var record in batch)
            {
                _handled.Enqueue(record.Value switch
                {
                    PinterestEvent e => e.EventId,
                    EnrichmentOutcome o => o.EventId!,
                    _ => "?",
                });
                _parents.Enqueue(record.Parent);
            }

            return Task.CompletedTask;
        }
    }
}
