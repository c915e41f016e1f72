namespace Streaming.Kafka.State;

/// <summary>
/// The bottom of a store stack held in memory: what RocksDB is to a live partition, for state that
/// needs no disk (a test of the logic above it). Keys in ordinal order, as RocksDB keeps them.
/// </summary>
public sealed class InMemoryKeyValueStore : IKeyValueStore
{
    private readonly SortedDictionary<string, byte[]> _entries = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, byte[]> Entries => _entries;

    public byte[]? Read(string key) => _entries.TryGetValue(key, out var value) ? value : null;

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null) =>
        // A copy, as a RocksDB iterator reads a snapshot: a write during the scan does not disturb it.
        _entries
            .Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(e.Key, after) > 0))
            .ToList();

    public Task<long?> WriteAsync(IReadOnlyList<KeyValuePair<string, byte[]?>> changes, CancellationToken cancellationToken)
    {
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                _entries.Remove(key);
            }
            else
            {
                _entries[key] = [.. value];
            }
        }

        return Task.FromResult<long?>(null);
    }

    public void Dispose() => _entries.Clear();
}
