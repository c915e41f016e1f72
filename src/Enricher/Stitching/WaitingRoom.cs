using System.Globalization;

namespace Streaming.Enricher.Stitching;

/// <summary>
/// An in-memory index of one partition's waiting server events: their state keys (ordered by when their
/// grace period ends in event time), their wall-clock caps, and which cart each waits for. The entries
/// themselves stay in the state store; this index only spares a scan of the store for every record,
/// which RocksDB answers slowly over the tombstones released entries leave behind. It is rebuilt from
/// the store whenever the two could differ: on assignment, and after a batch rolled back.
/// </summary>
public sealed class WaitingRoom
{
    private readonly SortedDictionary<string, long> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _byCart = new(StringComparer.Ordinal);

    public int Count => _keys.Count;

    public void Load(IEnumerable<(string Key, long DueWallTime)> entries)
    {
        _keys.Clear();
        _byCart.Clear();
        foreach (var (key, wall) in entries)
        {
            Add(key, wall);
        }
    }

    public void Add(string key, long dueWallTime)
    {
        _keys[key] = dueWallTime;
        var cart = PartitionKeyOf(key);
        if (!_byCart.TryGetValue(cart, out var keys))
        {
            _byCart[cart] = keys = new HashSet<string>(StringComparer.Ordinal);
        }

        keys.Add(key);
    }

    public void Remove(string key)
    {
        if (_keys.Remove(key) && _byCart.TryGetValue(PartitionKeyOf(key), out var keys) && keys.Remove(key) && keys.Count == 0)
        {
            _byCart.Remove(PartitionKeyOf(key));
        }
    }

    /// <summary>Whether the first to go is due by event time: a cheap check before every record.</summary>
    public bool AnyDue(long streamTime) => _keys.Count > 0 && DueEventTime(_keys.Keys.First()) <= streamTime;

    /// <summary>The keys due by event time, and with <paramref name="now"/> also those past their wall-clock cap, in due order.</summary>
    public List<string> Due(long streamTime, long? now)
    {
        var due = new List<string>();
        foreach (var (key, wall) in _keys)
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

    /// <summary>
    /// The earliest wall-clock cap later than <paramref name="after"/>, if any. Caps already passed are left
    /// out: what is due now goes with the next punctuation, and one that keeps failing must not make the
    /// loop spin.
    /// </summary>
    public long? NextWallTime(long after)
    {
        long? next = null;
        foreach (var wall in _keys.Values)
        {
            if (wall > after && (next is null || wall < next))
            {
                next = wall;
            }
        }

        return next;
    }

    /// <summary>The keys of what waits for the session of <paramref name="partitionKey"/>, in due order.</summary>
    public List<string> WaitingFor(string partitionKey) =>
        _byCart.TryGetValue(partitionKey, out var keys) ? [.. keys.Order(StringComparer.Ordinal)] : [];

    private static long DueEventTime(string key) =>
        long.Parse(key.AsSpan(CartStates.WaitingPrefix.Length, 20), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    // waiting/<due, 20 digits>/<partition key>/<webhook id>: the webhook id is the last segment.
    private static string PartitionKeyOf(string key)
    {
        var start = CartStates.WaitingPrefix.Length + 21;
        return key[start..key.LastIndexOf('/')];
    }
}
