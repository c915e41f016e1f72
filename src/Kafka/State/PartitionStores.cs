using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streaming.Kafka;

namespace Streaming.Kafka.State;

/// <summary>
/// The stores of the partitions this instance owns, one stack per partition number, opened and restored
/// when a partition is assigned, closed when it is revoked, abandoned when it is lost. Partition numbers
/// are shared by co-partitioned inputs: a store stays open while any input partition of its number is owned.
/// Without a changelog topic the stores are local only: nothing is restored or written to Kafka, for
/// throwaway state such as a replay's. A <see cref="IChangelogFormat"/> says how changes are carried on the
/// changelog where that is not one record per change.
/// </summary>
public sealed partial class PartitionStores(
    string name,
    string? changelogTopic,
    string directory,
    StateStoreOptions options,
    RecordPublisher publisher,
    ChangelogRestorer restorer,
    ILogger logger,
    IChangelogFormat? format = null) : IDisposable
{
    private readonly Dictionary<int, PartitionStore> _open = [];
    private readonly Dictionary<int, HashSet<string>> _owners = [];
    private readonly RocksDbSettings _rocksDb = new((ulong)options.BlockCacheBytes, (ulong)options.WriteBufferBytes);

    public string? ChangelogTopic { get; } = changelogTopic;

    public IReadOnlyDictionary<int, PartitionStore> Open => _open;

    public PartitionStore this[int partition] => _open.TryGetValue(partition, out var store)
        ? store
        : throw new InvalidOperationException($"No store is open for partition {partition} of {name}: the partition is not assigned here.");

    public void Assigned(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var opened = new List<ChangelogRestorer.Target>();
        var disks = OpenDisks([.. partitions.Select(p => p.Partition.Value).Distinct().Where(n => !_open.ContainsKey(n))]);
        foreach (var partition in partitions)
        {
            var number = partition.Partition.Value;
            if (!_owners.TryGetValue(number, out var topics))
            {
                _owners[number] = topics = [];
            }

            topics.Add(partition.Topic);
            if (!_open.ContainsKey(number))
            {
                var disk = disks[number];
                opened.Add(new(number, disk, disk.ReadCheckpoint()));
                IKeyValueStore below = ChangelogTopic is null ? disk : new ChangeLoggingStore(disk, publisher, new TopicPartition(ChangelogTopic, number), format);
                _open[number] = new PartitionStore(number, new CachingStore(below, options.CacheEntriesPerPartition), disk);
            }
        }

        if (ChangelogTopic is not null)
        {
            restorer.Restore(ChangelogTopic, opened, cancellationToken, format);
        }
    }

    // Opening a database waits on the disk (its files created and synced), about 30 ms each on the
    // development machine: the partitions of an assignment are opened side by side. If one fails, none is kept.
    private Dictionary<int, RocksDbStore> OpenDisks(List<int> numbers)
    {
        var disks = new RocksDbStore?[numbers.Count];
        try
        {
            Parallel.For(0, numbers.Count, i => disks[i] = RocksDbStore.Open(Directory(numbers[i]), _rocksDb));
        }
        catch (AggregateException e)
        {
            foreach (var disk in disks)
            {
                disk?.Dispose();
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        return numbers.Select((number, i) => (number, disks[i]!)).ToDictionary();
    }

    /// <summary>Handed over cleanly: every committed change is on the changelog and on disk, with its checkpoint.</summary>
    public void Revoked(IEnumerable<TopicPartition> partitions) => Close(partitions, abandon: false);

    /// <summary>
    /// Taken away without a hand-over: another instance may have changed the partition since, so this
    /// copy must not trust its checkpoint; the next assignment restores it in full.
    /// </summary>
    public void Lost(IEnumerable<TopicPartition> partitions) => Close(partitions, abandon: true);

    private void Close(IEnumerable<TopicPartition> partitions, bool abandon)
    {
        foreach (var partition in partitions)
        {
            var number = partition.Partition.Value;
            if (!_owners.TryGetValue(number, out var topics) || !topics.Remove(partition.Topic) || topics.Count > 0)
            {
                continue;
            }

            _owners.Remove(number);
            if (_open.Remove(number, out var store))
            {
                store.Rollback();
                if (abandon)
                {
                    store.Abandon();
                    RocksDbStore.Wipe(Directory(number));
                }
                else
                {
                    store.Dispose();
                }

                LogClosed(name, number, abandon);
            }
        }
    }

    private string Directory(int partition) => Path.Combine(directory, $"{name}-{partition}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed store {Store} of partition {Partition} (abandoned: {Abandoned})")]
    private partial void LogClosed(string store, int partition, bool abandoned);

    public void Dispose()
    {
        foreach (var store in _open.Values)
        {
            store.Rollback();
            store.Dispose();
        }

        _open.Clear();
        _owners.Clear();
    }
}
