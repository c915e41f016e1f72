namespace Streaming.Kafka.State;

/// <summary>
/// One partition's store stack, as a handler uses it: read, change, then commit the batch's changes
/// (changelog, then disk) or roll them back. The checkpoint (the changelog offset the disk holds
/// everything up to) is written after the first commit, then at most once per
/// <paramref name="checkpointInterval"/> (5 s by default), and on close. Like Kafka Streams, which also
/// checkpoints only now and then: a checkpoint behind the disk only makes a restore after a crash re-read
/// the last seconds of the changelog, whose records hold whole values, so applying them again changes
/// nothing. Written after every batch, it was a file write and a rename per partition per batch.
/// </summary>
public sealed class PartitionStore(int partition, CachingStore top, RocksDbStore disk, TimeSpan? checkpointInterval = null) : IDisposable
{
    private readonly long _checkpointEvery = (long)(checkpointInterval ?? TimeSpan.FromSeconds(5)).TotalMilliseconds;
    private long? _committed;
    private long? _checkpointed;
    private long _checkpointedAt;

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
            _committed = offset;
            if (_checkpointed is null || Environment.TickCount64 - _checkpointedAt >= _checkpointEvery)
            {
                Checkpoint();
            }
        }
    }

    public void Rollback() => top.Rollback();

    public void Dispose()
    {
        try
        {
            // Closed cleanly or not, the disk holds every committed change: the checkpoint says so, and the
            // next owner on this machine restores nothing it already has.
            if (_committed != _checkpointed)
            {
                Checkpoint();
            }
        }
        finally
        {
            // A checkpoint that could not be written must not keep the database open: its lock would refuse the next open.
            top.Dispose();
        }
    }

    /// <summary>Closes without a checkpoint: the copy is about to be wiped, so none is written for it.</summary>
    public void Abandon() => top.Dispose();

    private void Checkpoint()
    {
        disk.WriteCheckpoint(_committed!.Value);
        _checkpointed = _committed;
        _checkpointedAt = Environment.TickCount64;
    }
}
