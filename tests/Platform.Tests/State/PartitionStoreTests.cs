using Streaming.Kafka.State;

namespace Streaming.Platform.Tests.State;

/// <summary>When a partition's store writes its checkpoint: after the first commit, then now and then, and always on close.</summary>
public sealed class PartitionStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"partition-store-{Guid.NewGuid():N}");

    [Fact]
    public async Task The_first_commit_is_checkpointed_at_once_later_ones_by_the_interval_and_the_last_on_close()
    {
        var disk = RocksDbStore.Open(_directory, new RocksDbSettings(1 << 20, 1 << 20));
        var store = new PartitionStore(0, new CachingStore(new NumberedChangelog(disk), 10), disk, checkpointInterval: TimeSpan.FromHours(1));

        await CommitAsync(store, "a");
        Assert.Equal(0, disk.ReadCheckpoint());

        await CommitAsync(store, "b");
        await CommitAsync(store, "c");
        Assert.Equal(0, disk.ReadCheckpoint());

        store.Dispose();
        using var reopened = RocksDbStore.Open(_directory, new RocksDbSettings(1 << 20, 1 << 20));
        Assert.Equal(2, reopened.ReadCheckpoint());
        Assert.NotNull(reopened.Read("c"));
    }

    [Fact]
    public async Task With_no_interval_every_commit_is_checkpointed()
    {
        var disk = RocksDbStore.Open(_directory, new RocksDbSettings(1 << 20, 1 << 20));
        using var store = new PartitionStore(0, new CachingStore(new NumberedChangelog(disk), 10), disk, checkpointInterval: TimeSpan.Zero);

        await CommitAsync(store, "a");
        await CommitAsync(store, "b");

        Assert.Equal(1, disk.ReadCheckpoint());
    }

    public void Dispose() => RocksDbStore.Wipe(_directory);

    private static Task CommitAsync(PartitionStore store, string key)
    {
        store.Put(key, [1]);
        return store.CommitAsync(CancellationToken.None);
    }

    /// <summary>Stands in for the changelog layer: numbers each write as the changelog's offsets would, and writes it to the disk below.</summary>
    private sealed class NumberedChangelog(RocksDbStore disk) : IKeyValueStore
    {
        private long _next;

        public byte[]? Read(string key) => disk.Read(key);

        public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null) => disk.Scan(prefix, after);

        public async Task<long?> WriteAsync(IReadOnlyList<KeyValuePair<string, byte[]?>> changes, CancellationToken cancellationToken)
        {
            await disk.WriteAsync(changes, cancellationToken);
            _next += changes.Count;
            return _next - 1;
        }

        public void Dispose() => disk.Dispose();
    }
}
