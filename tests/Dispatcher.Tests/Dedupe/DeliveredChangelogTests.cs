using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Streaming.Development.Kafka;
using Streaming.Dispatcher.Dedupe;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.State;

namespace Streaming.Dispatcher.Tests.Dedupe;

/// <summary>
/// The delivered-id changelog holds one record per request and partition (issue 26): an instance that
/// takes the partitions over with an empty disk must still know every id, including those written one
/// record per id before the upgrade, and ids past the retention are forgotten without a tombstone each.
/// </summary>
public sealed class DeliveredChangelogTests : IDisposable
{
    private const string Changelog = "delivered-changelog";
    private const string AdAccount = "549755813888";
    private const string Shop = "shop.myshopify.com";
    private static readonly TimeSpan Retention = TimeSpan.FromDays(8);
    private readonly EmbeddedKafkaCluster _broker = new();
    private readonly List<string> _directories = [];
    private readonly List<DeliveredIds> _instances = [];
    private readonly KafkaClientFactory _clients;
    private readonly AvroSerdes _serdes = TestRecords.Serdes();
    private readonly RecordPublisher _publisher;
    private readonly ManualClock _clock = new();
    private readonly TopicPartition[] _partitions = [new(Changelog, 0), new(Changelog, 1)];

    public DeliveredChangelogTests()
    {
        _broker.CreateTopic(Changelog, 2);
        var kafka = new KafkaOptions { BootstrapServers = _broker.BootstrapServers, DeliveryTimeout = TimeSpan.FromSeconds(10) };
        _clients = new KafkaClientFactory(Options.Create(kafka), new ConfiguredKafkaCluster(_broker.BootstrapServers), NullLoggerFactory.Instance);
        _publisher = new RecordPublisher(_clients, _serdes, new StoppedNever(), NullLogger<RecordPublisher>.Instance);
    }

    [Fact]
    public async Task A_request_is_one_changelog_record_per_partition_and_an_instance_with_an_empty_disk_restores_every_id()
    {
        var first = Start();
        string[] ids = ["order-1", "order-2", "order-3", "order-4", "order-5", "order-6"];

        await first.RecordAsync(ids.Select((id, i) => (i % 2, Key(id), Shop)), CancellationToken.None);

        Assert.Equal([1L, 1L], [Written(0), Written(1)]);
        var second = Start();
        var accepted = await second.AcceptedAsync([.. ids.Select((id, i) => (i % 2, Key(id))), (0, Key("order-7"))]);
        Assert.Equal(ids.Select((id, i) => (i % 2, Key(id))).ToHashSet(), accepted);
    }

    [Fact]
    public async Task Ids_written_one_record_each_before_the_upgrade_are_restored_beside_request_records()
    {
        // What a dispatcher before issue 26 wrote: the id as the key, a DeliveredEvent without ids as the value.
        var old = await _serdes.SerializeAsync(new DeliveredEvent { AcceptedAt = _clock.GetUtcNow().UtcDateTime, ShopDomain = Shop }, Changelog);
        await _publisher.PublishRawAllAsync(_partitions[0], [new(Key("old-1"), old), new(Key("old-2"), old)], CancellationToken.None);
        var upgraded = Start();
        await upgraded.RecordAsync([(0, Key("new-1"), Shop), (0, Key("new-2"), Shop)], CancellationToken.None);

        var next = Start();
        var accepted = await next.AcceptedAsync([(0, Key("old-1")), (0, Key("old-2")), (0, Key("new-1")), (0, Key("new-2")), (0, Key("never"))]);

        Assert.Equal([Key("new-1"), Key("new-2"), Key("old-1"), Key("old-2")], accepted.Select(a => a.Key).Order(StringComparer.Ordinal));
        Assert.Equal(3L, Written(0));
    }

    [Fact]
    public async Task Ids_past_the_retention_are_swept_from_disk_without_a_tombstone_and_not_accepted_after_a_restore()
    {
        var first = Start();
        await first.RecordAsync([(0, Key("order-1"), Shop), (0, Key("order-2"), Shop)], CancellationToken.None);
        _clock.Now += Retention + TimeSpan.FromMinutes(1);

        Assert.Equal(2, await first.SweepAsync(CancellationToken.None));

        Assert.Equal(1L, Written(0));
        var next = Start();
        Assert.Empty(await next.AcceptedAsync([(0, Key("order-1")), (0, Key("order-2"))]));
    }

    private static string Key(string eventId) => RecordKeys.Delivered(AdAccount, eventId);

    /// <summary>A dispatcher instance on a disk of its own: whatever it knows, it restored from the changelog.</summary>
    private DeliveredIds Start()
    {
        var directory = Directory.CreateTempSubdirectory("delivered-changelog-tests-").FullName;
        _directories.Add(directory);
        var stores = new PartitionStores(
            "delivered", Changelog, directory, new StateStoreOptions(), _publisher,
            new ChangelogRestorer(_clients, NullLogger<ChangelogRestorer>.Instance), NullLogger.Instance, new DeliveredChangelog(_serdes));
        var ids = new DeliveredIds(stores, _serdes, Retention, _clock, NullLogger<DeliveredIds>.Instance);
        _instances.Add(ids);
        ids.Assigned(_partitions, CancellationToken.None);
        return ids;
    }

    private long Written(int partition)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = _broker.BootstrapServers, GroupId = "watermarks" }).Build();
        return consumer.QueryWatermarkOffsets(_partitions[partition], TimeSpan.FromSeconds(10)).High.Value;
    }

    public void Dispose()
    {
        _instances.ForEach(i => i.Dispose());
        _publisher.Dispose();
        _broker.Dispose();
        _directories.ForEach(d => Directory.Delete(d, recursive: true));
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => Now;
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
