using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Streaming.Development.Kafka;

namespace Streaming.Platform.Tests.Kafka;

/// <summary>
/// Issue 22, defect 8: a service pointed at a broker whose topics do not exist yet (the embedded broker
/// of another process, which cannot create topics through the admin API) waits for them, says so once,
/// keeps its host running (it used to stop on "Local: Unknown partition"), and reads as soon as they exist.
/// </summary>
public sealed class MissingTopicTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly EmbeddedKafkaCluster _broker = new();
    private readonly string _topic = KafkaFixture.UniqueTopic("events");
    private readonly string _changelog = KafkaFixture.UniqueTopic("changelog");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _broker.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_loop_waits_for_the_topic_its_handler_restores_from_says_so_once_and_reads_when_it_exists()
    {
        // As in the issue: the topics it reads exist (Ingest created them with its broker), the changelog does not.
        _broker.CreateTopic(_topic, partitions: 2);
        var handler = new RestoringHandler(_broker.BootstrapServers, _changelog);
        await using var host = await StartAsync(handler);
        var stopping = host.Service<IHostApplicationLifetime>().ApplicationStopping;
        await ProduceAsync("before-the-changelog");

        // Assigned, but the topic it restores from is missing: its records wait, polls go on.
        await WaitUntilAsync(() => handler.FailedRestores >= 3, "three failed restores", host);
        Assert.Empty(handler.Handled);

        _broker.CreateTopic(_changelog, partitions: 2);
        await ProduceAsync("after-the-changelog");

        await WaitUntilAsync(() => handler.Handled.Contains("before-the-changelog") && handler.Handled.Contains("after-the-changelog"), "both records", host);
        Assert.False(stopping.IsCancellationRequested, "The host is stopping.");
        // What an operator reads (Information and up); the retries are logged at Debug.
        var lines = host.Logs.Lines.Where(l => l.Category.StartsWith("Streaming.Kafka.ConsumerLoop", StringComparison.Ordinal) && l.Level >= Microsoft.Extensions.Logging.LogLevel.Information).ToList();
        Assert.Single(lines, l => l.Message.Contains("cannot get ready for", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Message.Contains("is ready for", StringComparison.Ordinal));
        Assert.True(lines.Count(l => l.Message.Contains("waits for a topic or partition", StringComparison.Ordinal)) <= 1, string.Join('\n', lines.Select(l => l.Message)));
        Assert.DoesNotContain(lines, l => l.Message.Contains("Unknown partition", StringComparison.Ordinal) && !l.Message.Contains("waits for", StringComparison.Ordinal) && !l.Message.Contains("cannot get ready", StringComparison.Ordinal));
    }

    private async Task<TestHost> StartAsync(RestoringHandler handler)
    {
        var settings = TestSettings.For(_broker.BootstrapServers, TestTopics.Defaults());
        // The embedded broker has no admin API: the provisioner gives up quickly, as the issue's Enricher did.
        settings["Kafka:ProvisioningTimeout"] = "00:00:01";
        settings["Kafka:ProvisionTopics"] = "false";
        return await TestHost.StartAsync(settings, builder =>
        {
            builder.AddPipelinePlatform();
            builder.Services.AddSingleton(handler);
            builder.Services.AddConsumerLoop<PinterestEvent, RestoringHandler>(_ => new ConsumerLoopSettings(
                "test-loop", _topic, typeof(PinterestEvent), $"missing-{Guid.NewGuid():N}", maxBatchSize: 10, maxBatchWait: TimeSpan.FromMilliseconds(20), maxRetryBackoff: TimeSpan.FromMilliseconds(500)));
        });
    }

    private async Task ProduceAsync(string id)
    {
        var bytes = await TestRecords.Serdes().SerializeAsync(TestRecords.Checkout(id), _topic);
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = _broker.BootstrapServers }).Build();
        await producer.ProduceAsync(_topic, new Message<string, byte[]> { Key = id, Value = bytes });
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, TestHost host)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Waited {Patience.TotalSeconds} s for {what}. Logs:\n{string.Join('\n', host.Logs.Lines.Select(l => $"{l.Category}: {l.Message}"))}");
            await Task.Delay(50);
        }
    }

    /// <summary>Restores its state from a changelog topic when assigned, as the enricher does; that fails while the topic is missing.</summary>
    private sealed class RestoringHandler(string bootstrapServers, string changelog) : IRecordBatchHandler<PinterestEvent>, IPartitionAware
    {
        private readonly ConcurrentQueue<string> _handled = new();
        private int _failedRestores;

        public int FailedRestores => Volatile.Read(ref _failedRestores);

        public IReadOnlyList<string> Handled => [.. _handled];

        public void OnAssigned(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
        {
            using var restorer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "restorer" }).Build();
            try
            {
                foreach (var partition in partitions)
                {
                    restorer.QueryWatermarkOffsets(new TopicPartition(changelog, partition.Partition), TimeSpan.FromSeconds(2));
                }
            }
            catch (KafkaException)
            {
                Interlocked.Increment(ref _failedRestores);
                throw;
            }
        }

        public void OnRevoked(IReadOnlyList<TopicPartition> partitions)
        {
        }

        public void OnLost(IReadOnlyList<TopicPartition> partitions)
        {
        }

        public Task HandleAsync(IReadOnlyList<ConsumedRecord<PinterestEvent>> batch, CancellationToken cancellationToken)
        {
            foreach (var record in batch)
            {
                _handled.Enqueue(record.Value.EventId);
            }

            return Task.CompletedTask;
        }
    }
}
