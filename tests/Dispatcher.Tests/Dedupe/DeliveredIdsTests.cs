using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Streaming.Development.Kafka;
using Streaming.Dispatcher.Dedupe;
using Streaming.Kafka;
using Streaming.Kafka.State;

namespace Streaming.Dispatcher.Tests.Dedupe;

/// <summary>
/// The topology suite found Pinterest accepting an event twice: the accepted ids' changelog write failed (a
/// broker went down), the store rolled them back, and the lane's retry found nothing and sent them again.
/// </summary>
public sealed class DeliveredIdsTests : IDisposable
{
    private const string Changelog = "delivered-changelog";
    private readonly EmbeddedKafkaCluster _broker = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("delivered-ids-tests-").FullName;
    private readonly RecordPublisher _publisher;
    private readonly DeliveredIds _ids;
    private readonly TopicPartition _partition = new(Changelog, 0);
    private readonly LogCapture _log = new();

    public DeliveredIdsTests()
    {
        _broker.CreateTopic(Changelog, 1);
        // Short enough that a refused write fails the test's call at once, not after 30 s.
        var kafka = new KafkaOptions { BootstrapServers = _broker.BootstrapServers, DeliveryTimeout = TimeSpan.FromSeconds(3) };
        var clients = new KafkaClientFactory(Options.Create(kafka), new ConfiguredKafkaCluster(_broker.BootstrapServers), NullLoggerFactory.Instance);
        var serdes = TestRecords.Serdes();
        _publisher = new RecordPublisher(clients, serdes, new StoppedNever(), NullLogger<RecordPublisher>.Instance);
        var stores = new PartitionStores(
            "delivered", Changelog, _directory, new StateStoreOptions(), _publisher, new ChangelogRestorer(clients, NullLogger<ChangelogRestorer>.Instance), NullLogger.Instance, new DeliveredChangelog(serdes));
        _ids = new DeliveredIds(stores, serdes, TimeSpan.FromDays(30), TimeProvider.System, new Logger<DeliveredIds>(new LoggerFactory([_log])));
        _ids.Assigned([_partition], CancellationToken.None);
    }

    [Fact]
    public async Task Ids_Pinterest_accepted_after_their_partition_left_are_reported_as_possible_duplicates()
    {
        var key = RecordKeys.Delivered("549755813888", "order-2");
        _ids.Revoked([_partition]);

        await _ids.RecordAsync([(0, key, "shop.myshopify.com")], CancellationToken.None);

        var warning = Assert.Single(_log.Lines, l => l.Category == typeof(DeliveredIds).FullName && l.Level == LogLevel.Warning);
        Assert.Contains("1 event id(s) of partition 0", warning.Message);
    }

    [Fact]
    public async Task Ids_Pinterest_accepted_stay_accepted_when_their_changelog_write_fails_and_are_written_once_Kafka_takes_them()
    {
        var key = RecordKeys.Delivered("549755813888", "order-1");
        // The broker goes away after Pinterest answered: the write times out (Kafka:DeliveryTimeout).
        _broker.TakeDown();

        await Assert.ThrowsAnyAsync<Exception>(() => _ids.RecordAsync([(0, key, "shop.myshopify.com")], CancellationToken.None));

        // While Kafka still refuses, the lane's look-up fails rather than saying "not accepted, send it".
        await Assert.ThrowsAnyAsync<Exception>(() => _ids.AcceptedAsync([(0, key)]));

        _broker.Restore();
        var accepted = await _ids.AcceptedAsync([(0, key)]);

        Assert.Contains((0, key), accepted);
        var written = Assert.Single(KafkaFixture.ReadAll(_broker.BootstrapServers, Changelog, 1, TimeSpan.FromSeconds(10)));
        Assert.StartsWith(key + "@", System.Text.Encoding.UTF8.GetString(written.Message.Key!), StringComparison.Ordinal);
        Assert.Equal(["order-1"], (await TestRecords.Serdes().DeserializeAsync<Streaming.Records.DeliveredEvent>(written.Message.Value, Changelog)).EventIds);
    }

    public void Dispose()
    {
        _ids.Dispose();
        _publisher.Dispose();
        _broker.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class StoppedNever : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
