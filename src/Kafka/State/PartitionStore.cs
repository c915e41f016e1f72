namespace Streaming.Kafka.State;

/// <summary>
/// One partition's store stack, as a handler uses it: read, change, then commit the batch's changes
/// (changelog, then disk, then the checkpoint) or roll them back.
/// </summary>
public sealed class PartitionStore(int partition, CachingStore top, RocksDbStore disk) : IDisposable
{
    public int Partition { get; } = partition;

    public byte[]? Read(string key) => top.Read(key);

    public void Put(string key, byte[] value) => top.Put(key, value);

    public void Delete(string key) => top.Delete(key);

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null) => top.Scan(prefix, after);

    public bool HasChanges => top.HasChanges;

    public int Cached => top.Cached;

    public long EstimatedKeys => disk.EstimatedKeys;

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (await top.CommitAsync(cancellationToken).ConfigureAwait(false) is { } offset)
        {
            disk.WriteCheckpoint(offset);
        }
    }

    public void Rollback() => top.Rollback();

    public void Dispose() => top.Dispose();
}
