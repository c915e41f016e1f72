namespace Streaming.Kafka.State;

/// <summary>
/// A store stack without a disk checkpoint (an <see cref="InMemoryKeyValueStore"/> under the cache, say)
/// as a batch handler sees it: the same <see cref="CachingStore"/> as a live partition's holds the
/// batch's changes and writes them to the layers below on commit.
/// </summary>
public sealed class CachedBatchStore(CachingStore top) : IBatchStore
{
    public byte[]? Read(string key) => top.Read(key);

    public void Put(string key, byte[] value) => top.Put(key, value);

    public void Delete(string key) => top.Delete(key);

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null) => top.Scan(prefix, after);

    public Task CommitAsync(CancellationToken cancellationToken) => top.CommitAsync(cancellationToken);

    public void Rollback() => top.Rollback();
}
