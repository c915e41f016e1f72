using System.Collections.Concurrent;
using System.Globalization;

namespace Streaming.Enricher.Stitching;

/// <summary>
/// An in-memory index of the waiting server events of the partitions this instance owns: their state
/// keys (ordered by when their grace period ends in event time), their wall-clock caps, and which cart
/// each waits for. The entries themselves stay in the state store; this index only spares a scan of the
/// store for every record, which RocksDB answers slowly over the tombstones released entries leave
/// behind. It is rebuilt from the store whenever the two could differ: on assignment, and after a batch
/// rolled back.
/// </summary>
public sealed class WaitingRoom
{
    // Partitions are handled side by side: each one's index is touched by one thread at a time.
    private readonly ConcurrentDictionary<int, Partition> _partitions = new();

    public void Load(int partition, IEnumerable<(string Key, long DueWallTime)> entries)
    {
        var waiting = new Partition();
        foreach (var (key, wall) in entries)
        {
            waiting.Add(key, wall);
        }

        _partitions[partition] = waiting;
    }

    public void Drop(int partition) => _partitions.TryRemove(partition, out _);

    public void Add(int partition, string key, long dueWallTime) => _partitions.GetOrAdd(partition, _ => new Partition()).Add(key, dueWallTime);

    public void Remove(int partition, string key) => _partitions.GetValueOrDefault(partition)?.Remove(key);

    /// <summary>Whether the first to go is due by event time: a cheap check before every record.</summary>
    public bool AnyDue(int partition, long streamTime) =>
        _partitions.TryGetValue(partition, out var waiting) && waiting.Keys.Count > 0 && DueEventTime(waiting.Keys.Keys.First()) <= streamTime;

    /// <summary>The keys due by event time, and with <paramref name="now"/> also those past their wall-clock cap, in due order.</summary>
    public List<string> Due(int partition, long streamTime, long? now)
    {
        var due = new List<string>();
        if (!_partitions.TryGetValue(partition, out var waiting))
        {
            return due;
        }

        foreach (var (key, wall) in waiting.Keys)
        {
            if (DueEventTime(key) <= streamTime || wall <= now)
            {
                due.Add(key);
            }
            else if (now is null)
            {
                // Keys are in due order: nothing after this one is due by event time either.
                break;
            }
        }

        return due;
    }

    /// <summary>The keys of what waits for the session of <paramref name="partitionKey"/>, in due order.</summary>
    public List<string> WaitingFor(int partition, string partitionKey) =>
        _partitions.TryGetValue(partition, out var waiting) && waiting.ByCart.TryGetValue(partitionKey, out var keys)
            ? [.. keys.Order(StringComparer.Ordinal)]
            : [];

    private static long DueEventTime(string key) =>
        long.Parse(key.AsSpan(CartStates.WaitingPrefix.Length, 20), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    // waiting/<due, 20 digits>/<partition key>/<webhook id>: the webhook id is the last segment.
    private static string PartitionKeyOf(string key)
    {
        var start = CartStates.WaitingPrefix.Length + 21;
        return key[start..key.LastIndexOf('/')];
    }

    private sealed class Partition
    {
        public SortedDictionary<string, long> Keys { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, HashSet<string>> ByCart { get; } = new(StringComparer.Ordinal);

        public void Add(string key, long wall)
        {
            Keys[key] = wall;
            var cart = PartitionKeyOf(key);
            if (!ByCart.TryGetValue(cart, out var keys))
            {
                ByCart[cart] = keys = new HashSet<string>(StringComparer.Ordinal);
            }

            keys.Add(key);
        }

        public void Remove(string key)
        {
            if (Keys.Remove(key) && ByCart.TryGetValue(PartitionKeyOf(key), out var keys) && keys.Remove(key) && keys.Count == 0)
            {
                ByCart.Remove(PartitionKeyOf(key));
            }
        }
    }
}
