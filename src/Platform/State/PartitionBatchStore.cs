namespace Streaming.Platform.State;

/// <summary>A live partition's store stack (cache, changelog, RocksDB and its checkpoint) as a batch handler sees it.</summary>
public sealed class PartitionBatchStore(PartitionStore store) : IBatchStore
{
    public PartitionStore Store { get; } = store;

    public byte[]? Read(string key) => Store.Read(key);

    public void Put(string key, byte[] value) => Store.Put(key, value);

    public void Delete(string key) => Store.Delete(key);

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null) => Store.Scan(prefix, after);

    public Task CommitAsync(CancellationToken cancellationToken) => Store.CommitAsync(cancellationToken);

    public void Rollback() => Store.Rollback();
}
