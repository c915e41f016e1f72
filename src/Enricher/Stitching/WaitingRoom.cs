using System.Collections.Concurrent;
using System.Globalization;

namespace Streaming.Enricher.Stitching;

/// <summary>
/// An in-memory index of the waiting server events of the partitions this instance owns: their state
/// keys (ordered by when their grace period ends in event time) and their wall-clock caps. The entries
/// themselves stay in the state store; this index only spares a scan of the store for every record,
/// which RocksDB answers slowly over the tombstones released entries leave behind. It is rebuilt from
/// the store whenever the two could differ: on assignment, and after a batch rolled back.
/// </summary>
public sealed class WaitingRoom
{
    // Partitions are handled side by side: each one's index is touched by one thread at a time.
    private readonly ConcurrentDictionary<int, SortedDictionary<string, long>> _partitions = new();

    public void Load(int partition, IEnumerable<(string Key, long DueWallTime)> entries)
    {
        var waiting = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, wall) in entries)
        {
            waiting[key] = wall;
        }

        _partitions[partition] = waiting;
    }

    public void Drop(int partition) => _partitions.TryRemove(partition, out _);

    public void Add(int partition, string key, long dueWallTime)
    {
        _partitions.GetOrAdd(partition, _ => new SortedDictionary<string, long>(StringComparer.Ordinal))[key] = dueWallTime;
    }

    public void Remove(int partition, string key) => _partitions.GetValueOrDefault(partition)?.Remove(key);

    /// <summary>Whether the first to go is due by event time: a cheap check before every record.</summary>
    public bool AnyDue(int partition, long streamTime) =>
        _partitions.TryGetValue(partition, out var waiting) && waiting.Count > 0 && DueEventTime(waiting.Keys.First()) <= streamTime;

    /// <summary>The keys due by event time, and with <paramref name="now"/> also those past their wall-clock cap, in due order.</summary>
    public List<string> Due(int partition, long streamTime, long? now)
    {
        var due = new List<string>();
        if (!_partitions.TryGetValue(partition, out var waiting))
        {
            return due;
        }

        foreach (var (key, wall) in waiting)
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

    private static long DueEventTime(string key) =>
        long.Parse(key.AsSpan(CartStates.WaitingPrefix.Length, 20), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
