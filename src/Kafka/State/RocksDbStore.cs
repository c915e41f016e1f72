using System.Globalization;
using System.Text;
using RocksDbSharp;

namespace Streaming.Kafka.State;

/// <summary>
/// The persistent bottom of a store stack: one RocksDB database per partition, on local disk, with the
/// changelog offset it holds everything up to kept beside it in a checkpoint file.
/// </summary>
public sealed class RocksDbStore : IKeyValueStore
{
    private const string CheckpointFile = ".checkpoint";
    private readonly RocksDb _db;
    private readonly string _directory;

    private RocksDbStore(RocksDb db, string directory)
    {
        _db = db;
        _directory = directory;
    }

    public static RocksDbStore Open(string directory, RocksDbSettings settings)
    {
        Directory.CreateDirectory(directory);
        var table = new BlockBasedTableOptions()
            .SetBlockCache(settings.BlockCache)
            .SetCacheIndexAndFilterBlocks(true)
            .SetFilterPolicy(BloomFilterPolicy.Create(10, false));
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetWriteBufferSize(settings.WriteBufferBytes)
            .SetMaxWriteBufferNumber(2)
            .SetBlockBasedTableFactory(table)
            .SetCompression(Compression.Lz4);
        return new RocksDbStore(RocksDb.Open(options, directory), directory);
    }

    /// <summary>Deletes a partition's database: its changelog will rebuild it.</summary>
    public static void Wipe(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The changelog offset up to which (inclusive) this database holds every change, if known.</summary>
    public long? ReadCheckpoint()
    {
        var file = Path.Combine(_directory, CheckpointFile);
        return File.Exists(file) && long.TryParse(File.ReadAllText(file), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : null;
    }

    public void WriteCheckpoint(long offset)
    {
        // Written aside and renamed, so a crash leaves the old checkpoint or the new one, never half of one.
        var file = Path.Combine(_directory, CheckpointFile);
        File.WriteAllText(file + ".tmp", offset.ToString(CultureInfo.InvariantCulture));
        File.Move(file + ".tmp", file, overwrite: true);
    }

    public void DeleteCheckpoint() => File.Delete(Path.Combine(_directory, CheckpointFile));

    /// <summary>Deletes every entry and the checkpoint: what the changelog holds is then restored from its start.</summary>
    public void Clear()
    {
        DeleteCheckpoint();
        using var iterator = _db.NewIterator();
        iterator.SeekToFirst();
        if (!iterator.Valid())
        {
            return;
        }

        var first = iterator.Key();
        iterator.SeekToLast();
        var last = iterator.Key();
        using var batch = new WriteBatch();
        // The range's end is exclusive: the last key goes on its own.
        batch.DeleteRange(first, (ulong)first.Length, last, (ulong)last.Length);
        batch.Delete(last);
        _db.Write(batch);
    }

    public byte[]? Read(string key) => _db.Get(Encoding.UTF8.GetBytes(key));

    public Task<long?> WriteAsync(IReadOnlyList<KeyValuePair<string, byte[]?>> changes, CancellationToken cancellationToken)
    {
        Apply(changes.Select(c => KeyValuePair.Create(Encoding.UTF8.GetBytes(c.Key), c.Value)));
        return Task.FromResult<long?>(null);
    }

    /// <summary>Applies changes in one atomic write: a value, or null to delete.</summary>
    public void Apply(IEnumerable<KeyValuePair<byte[], byte[]?>> changes)
    {
        using var batch = new WriteBatch();
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                batch.Delete(key);
            }
            else
            {
                batch.Put(key, value);
            }
        }

        _db.Write(batch);
    }

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null)
    {
        var prefixBytes = Encoding.UTF8.GetBytes(prefix);
        using var iterator = _db.NewIterator();
        iterator.Seek(Encoding.UTF8.GetBytes(after ?? prefix));
        while (iterator.Valid())
        {
            var key = iterator.Key();
            if (!key.AsSpan().StartsWith(prefixBytes))
            {
                yield break;
            }

            var text = Encoding.UTF8.GetString(key);
            if (after is null || string.CompareOrdinal(text, after) > 0)
            {
                yield return new(text, iterator.Value());
            }

            iterator.Next();
        }
    }

    /// <summary>An estimate of the keys held, from RocksDB's own statistics.</summary>
    public long EstimatedKeys => long.TryParse(_db.GetProperty("rocksdb.estimate-num-keys"), CultureInfo.InvariantCulture, out var keys) ? keys : 0;

    public void Dispose() => _db.Dispose();
}

/// <summary>How the RocksDB stores of a process use memory: one block cache shared by all of them.</summary>
public sealed class RocksDbSettings(ulong blockCacheBytes, ulong writeBufferBytes)
{
    public Cache BlockCache { get; } = Cache.CreateLru(blockCacheBytes);

    public ulong WriteBufferBytes { get; } = writeBufferBytes;
}
