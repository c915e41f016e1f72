namespace Streaming.Kafka.State;

/// <summary>
/// The top of a store stack: reads see the batch's own changes first, then a bounded cache of recent
/// entries, then the layers below. Changes stay here until <see cref="CommitAsync"/> writes them down
/// together, or <see cref="Rollback"/> forgets them when the batch has to be tried again.
/// </summary>
public sealed class CachingStore(IKeyValueStore inner, int capacity) : IKeyValueStore
{
    // Null marks a key known to be absent, so a miss is not read from disk again and again.
    private readonly Dictionary<string, LinkedListNode<(string Key, byte[]? Value)>> _clean = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, byte[]? Value)> _recency = new();
    private readonly SortedDictionary<string, byte[]?> _dirty = new(StringComparer.Ordinal);

    public int Cached => _clean.Count;

    public byte[]? Read(string key)
    {
        if (_dirty.TryGetValue(key, out var changed))
        {
            return changed;
        }

        if (_clean.TryGetValue(key, out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Value;
        }

        var value = inner.Read(key);
        Remember(key, value);
        return value;
    }

    public void Put(string key, byte[] value) => _dirty[key] = value;

    public void Delete(string key) => _dirty[key] = null;

    public bool HasChanges => _dirty.Count > 0;

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null)
    {
        // The batch's own changes, merged into the order of the keys below.
        var changed = _dirty.Where(d => d.Key.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(d.Key, after) > 0)).ToList();
        var next = 0;
        foreach (var entry in inner.Scan(prefix, after))
        {
            for (; next < changed.Count && string.CompareOrdinal(changed[next].Key, entry.Key) <= 0; next++)
            {
                if (changed[next].Value is { } value)
                {
                    yield return new(changed[next].Key, value);
                }
            }

            if (!_dirty.ContainsKey(entry.Key))
            {
                yield return entry;
            }
        }

        for (; next < changed.Count; next++)
        {
            if (changed[next].Value is { } value)
            {
                yield return new(changed[next].Key, value);
            }
        }
    }

    /// <summary>Writes the batch's changes down the stack; returns the changelog offset of the last one.</summary>
    public async Task<long?> CommitAsync(CancellationToken cancellationToken)
    {
        if (_dirty.Count == 0)
        {
            return null;
        }

        var changes = _dirty.ToList();
        var offset = await inner.WriteAsync(changes, cancellationToken).ConfigureAwait(false);
        foreach (var (key, value) in changes)
        {
            Remember(key, value);
        }

        _dirty.Clear();
        return offset;
    }

    public void Rollback() => _dirty.Clear();

    public async Task<long?> WriteAsync(IReadOnlyList<KeyValuePair<string, byte[]?>> changes, CancellationToken cancellationToken)
    {
        var offset = await inner.WriteAsync(changes, cancellationToken).ConfigureAwait(false);
        foreach (var (key, value) in changes)
        {
            Remember(key, value);
        }

        return offset;
    }

    private void Remember(string key, byte[]? value)
    {
        if (_clean.TryGetValue(key, out var node))
        {
            _recency.Remove(node);
        }

        _clean[key] = _recency.AddFirst((key, value));
        while (_clean.Count > capacity && _recency.Last is { } oldest)
        {
            _recency.RemoveLast();
            _clean.Remove(oldest.Value.Key);
        }
    }

    public void Dispose() => inner.Dispose();
}
