namespace Streaming.Kafka.State;

/// <summary>A live partition's store stack (cache, changelog, RocksDB and its checkpoint) as a batch handler sees it.</summary>
public sealed class PartitionBatchStore(PartitionStore store) : IBatchStore
{
    public byte[]? Read(string key) => store.Read(key);

    public void Put(string key, byte[] value) => store.Put(key, value);

    public void Delete(string key) => store.Delete(key);

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null) => store.Scan(prefix, after);

    public Task CommitAsync(CancellationToken cancellationToken) => store.CommitAsync(cancellationToken);

    public void Rollback() => store.Rollback();
}
