using System.Collections.Concurrent;
using Confluent.SchemaRegistry;

namespace Streaming.Platform.Tests.Kafka;

[Collection(OnKafka.Name)]
public sealed class ConsumerLoopTests(KafkaFixture kafka) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly string _group = $"loop-test-{Guid.NewGuid():N}";
    private TestTopics _topics = null!;

    public async Task InitializeAsync() => _topics = await kafka.CreateTopicsAsync(partitions: 2);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Records_that_are_not_Avro_go_to_the_dead_letter_topic_and_the_partition_moves_on()
    {
        var handler = new RecordingHandler();
        await using var host = await StartAsync(handler);
        // All on one partition: the good record stands behind the poison.
        await ProduceRawAsync("shop/1", "definitely not avro"u8.ToArray());
        await ProduceRawAsync("shop/2", null);
        await ProduceAsync(TestRecords.Checkout("after-the-poison"));

        await handler.WaitForAsync(e => e.EventId == "after-the-poison");

        var letters = await ReadDeadLettersAsync(2);
        Assert.All(letters, l => Assert.Equal("undeserializable", l.Reason));
        Assert.All(letters, l => Assert.Equal("test-loop", l.Service));
        Assert.All(letters, l => Assert.Equal(_topics.PinterestEvents.Name, l.SourceTopic));
        Assert.Equal("definitely not avro"u8.ToArray(), letters[0].Value);
        Assert.Equal("shop/1"u8.ToArray(), letters[0].Key);
        Assert.Null(letters[1].Value);
        Assert.Contains("tombstone", letters[1].Error, StringComparison.Ordinal);
        Assert.Equal(1, handler.Attempts);
    }

    [Fact]
    public async Task A_poison_record_too_large_to_copy_is_dead_lettered_without_its_value()
    {
        var handler = new RecordingHandler();
        await using var host = await StartAsync(handler);
        var huge = new byte[999_950];
        huge[0] = 0xFF;

        await ProduceRawAsync("shop/huge", huge);
        await ProduceAsync(TestRecords.Checkout("behind-the-huge-one"));

        await handler.WaitForAsync(e => e.EventId == "behind-the-huge-one");
        var letter = Assert.Single(await ReadDeadLettersAsync(1));
        Assert.Null(letter.Value);
        Assert.Equal("shop/huge"u8.ToArray(), letter.Key);
        Assert.Contains("999950 bytes, was left out", letter.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_batch_is_retried_and_its_offset_stored_only_after_it_succeeded()
    {
        var handler = new RecordingHandler { FailuresLeft = 1 };
        await using (var host = await StartAsync(handler))
        {
            await ProduceAsync(TestRecords.Checkout("retried"));
            await handler.WaitForAsync(e => e.EventId == "retried");
            Assert.Equal(2, handler.Attempts);
        }

        // A new member of the same group starts after the committed offset: nothing old comes back.
        var next = new RecordingHandler();
        await using var restarted = await StartAsync(next);
        await ProduceAsync(TestRecords.Checkout("new"));
        await next.WaitForAsync(e => e.EventId == "new");
        Assert.DoesNotContain(next.Handled, e => e.EventId == "retried");
    }

    [Fact]
    public async Task A_record_whose_handler_never_finished_is_read_again_after_a_restart()
    {
        var failing = new RecordingHandler { FailuresLeft = int.MaxValue };
        await using (var host = await StartAsync(failing))
        {
            await ProduceAsync(TestRecords.Checkout("not-lost"));
            await failing.WaitForAttemptsAsync(1);
        }

        var next = new RecordingHandler();
        await using var restarted = await StartAsync(next);
        await next.WaitForAsync(e => e.EventId == "not-lost");
        Assert.Empty(failing.Handled);
    }

    [Fact]
    public async Task An_unreachable_registry_delays_records_instead_of_dead_lettering_them()
    {
        var handler = new RecordingHandler();
        var registry = FlakyRegistry.Create(failures: 2);
        await using var host = await StartAsync(handler, registry);

        await ProduceAsync(TestRecords.Checkout("waited-for-the-registry"));

        await handler.WaitForAsync(e => e.EventId == "waited-for-the-registry");
        Assert.Equal(2, ((FlakyRegistry)(object)registry).Failures);
        Assert.Empty(kafka.ReadAll(_topics.DeadLetters.Name, 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_partition_taken_away_during_a_retry_delivers_again_when_it_comes_back()
    {
        var first = new RecordingHandler();
        await using var stays = await StartAsync(first);
        await ProduceAsync(TestRecords.Checkout("warm-0"), partition: 0);
        await ProduceAsync(TestRecords.Checkout("warm-1"), partition: 1);
        await first.WaitForAsync(e => e.EventId == "warm-0");
        await first.WaitForAsync(e => e.EventId == "warm-1");

        // An outage: the first member pauses both partitions and retries.
        first.FailuresLeft = int.MaxValue;
        await ProduceAsync(TestRecords.Checkout("during-0"), partition: 0);
        await ProduceAsync(TestRecords.Checkout("during-1"), partition: 1);
        await first.WaitForAttemptsAsync(3);

        // A second member joins and takes a partition away, then leaves and hands it back.
        var second = new RecordingHandler();
        var joins = await StartAsync(second);
        await WaitUntilAsync(() => stays.Logs.Lines.Any(l => l.Message.Contains("gave up", StringComparison.Ordinal)), "the first member to give up a partition");
        await WaitUntilAsync(() => joins.Logs.Lines.Any(l => l.Message.Contains("was assigned", StringComparison.Ordinal)), "the second member to get it");
        first.FailuresLeft = 0;
        await joins.DisposeAsync();

        await ProduceAsync(TestRecords.Checkout("after-0"), partition: 0);
        await ProduceAsync(TestRecords.Checkout("after-1"), partition: 1);
        await first.WaitForAsync(e => e.EventId == "after-0");
        await first.WaitForAsync(e => e.EventId == "after-1");
    }

    [Fact]
    public async Task A_handler_is_told_which_partitions_still_have_unread_records_and_a_partition_committed_at_its_end_has_none()
    {
        // Partition 0 was read to its end by an earlier member: its committed offset stands in for a
        // position, since this member never reads a record from it.
        await ProduceAsync(TestRecords.Checkout("read-before-0"), partition: 0);
        await ProduceAsync(TestRecords.Checkout("read-before-1"), partition: 0);
        using (var earlier = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = _group }).Build())
        {
            earlier.Commit([new TopicPartitionOffset(_topics.PinterestEvents.Name, 0, 2)]);
        }

        // Partition 1 has three batches' worth of records (batches of ten).
        for (var i = 0; i < 30; i++)
        {
            await ProduceAsync(TestRecords.Checkout($"backlog-{i}"), partition: 1);
        }

        var handler = new BacklogHandler();
        await using var host = await StartAsync(handler);
        await handler.WaitForAsync(30);

        var partition1 = new TopicPartition(_topics.PinterestEvents.Name, 1);
        var (firstHandled, firstBehind) = handler.Seen[0];
        Assert.True(firstHandled < 30);
        Assert.Contains(partition1, firstBehind);
        var (lastHandled, lastBehind) = handler.Seen[^1];
        Assert.Equal(30, lastHandled);
        Assert.Empty(lastBehind);
        Assert.DoesNotContain(handler.Handled, id => id.StartsWith("read-before", StringComparison.Ordinal));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Waited {Patience.TotalSeconds} s for {what}.");
            await Task.Delay(50);
        }
    }

    private async Task<TestHost> StartAsync<THandler>(THandler handler, ISchemaRegistryClient? registry = null)
        where THandler : class, IRecordBatchHandler<PinterestEvent>
    {
        var settings = TestSettings.For(kafka.BootstrapServers, _topics);
        return await TestHost.StartAsync(settings, builder =>
        {
            builder.AddPipelinePlatform();
            if (registry is not null)
            {
                builder.Services.AddSingleton(registry);
            }

            builder.Services.AddSingleton(handler);
            builder.Services.AddConsumerLoop<PinterestEvent, THandler>(_ => new ConsumerLoopSettings(
                "test-loop", [new ConsumedTopic(_topics.PinterestEvents.Name, typeof(PinterestEvent))], _group, MaxBatchSize: 10, MaxBatchWait: TimeSpan.FromMilliseconds(20), MaxRetryBackoff: TimeSpan.FromMilliseconds(500)));
        });
    }

    private async Task ProduceAsync(PinterestEvent e, int partition = 0)
    {
        var bytes = await TestRecords.Serdes().SerializeAsync(e, _topics.PinterestEvents.Name);
        await ProduceRawAsync($"shop/{e.EventId}", bytes, partition);
    }

    private Task ProduceRawAsync(string key, byte[]? value, int partition = 0) =>
        kafka.ProduceAsync(_topics.PinterestEvents.Name, [(key, value)], partition);

    private async Task<List<DeadLetter>> ReadDeadLettersAsync(int count)
    {
        var records = kafka.ReadAll(_topics.DeadLetters.Name, count, Patience);
        Assert.Equal(count, records.Count);
        var serdes = TestRecords.Serdes();
        var letters = new List<DeadLetter>();
        foreach (var record in records)
        {
            letters.Add(await serdes.DeserializeAsync<DeadLetter>(record.Message.Value, record.Topic));
        }

        return letters;
    }

    /// <summary>Records, before each batch it handles, what the loop told it of the backlog.</summary>
    private sealed class BacklogHandler : IRecordBatchHandler<PinterestEvent>, IBacklogAware
    {
        private readonly ConcurrentQueue<(int Handled, IReadOnlySet<TopicPartition> Behind)> _seen = new();
        private readonly ConcurrentQueue<string> _handled = new();
        private IReadOnlySet<TopicPartition> _behind = new HashSet<TopicPartition>();

        public IReadOnlyList<(int Handled, IReadOnlySet<TopicPartition> Behind)> Seen => [.. _seen];

        public IReadOnlyList<string> Handled => [.. _handled];

        public void OnBacklog(IReadOnlySet<TopicPartition> behind) => _behind = behind;

        public Task HandleAsync(IReadOnlyList<ConsumedRecord<PinterestEvent>> batch, CancellationToken cancellationToken)
        {
            foreach (var record in batch)
            {
                _handled.Enqueue(record.Value.EventId);
            }

            _seen.Enqueue((_handled.Count, _behind));
            return Task.CompletedTask;
        }

        public async Task WaitForAsync(int count)
        {
            await WaitUntilAsync(() => _handled.Count >= count, $"{count} records");
            await Task.Delay(200);
        }
    }

    /// <summary>Records what it is handed; fails the first <see cref="FailuresLeft"/> batches.</summary>
    private sealed class RecordingHandler : IRecordBatchHandler<PinterestEvent>
    {
        private readonly ConcurrentQueue<PinterestEvent> _handled = new();
        private int _attempts;

        public int FailuresLeft { get; set; }

        public int Attempts => Volatile.Read(ref _attempts);

        public IReadOnlyList<PinterestEvent> Handled => [.. _handled];

        public Task HandleAsync(IReadOnlyList<ConsumedRecord<PinterestEvent>> batch, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new InvalidOperationException("Simulated outage.");
            }

            foreach (var record in batch)
            {
                _handled.Enqueue(record.Value);
            }

            return Task.CompletedTask;
        }

        public async Task WaitForAsync(Func<PinterestEvent, bool> match)
        {
            var until = DateTime.UtcNow + Patience;
            while (!_handled.Any(match))
            {
                Assert.True(DateTime.UtcNow < until, $"The handler did not get the expected record in {Patience.TotalSeconds} s ({Attempts} attempts).");
                await Task.Delay(50);
            }
        }

        public async Task WaitForAttemptsAsync(int attempts)
        {
            var until = DateTime.UtcNow + Patience;
            while (Attempts < attempts)
            {
                Assert.True(DateTime.UtcNow < until, $"The handler was not called {attempts} time(s) in {Patience.TotalSeconds} s.");
                await Task.Delay(50);
            }
        }
    }
}
