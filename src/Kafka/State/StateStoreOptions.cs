using System.ComponentModel.DataAnnotations;

namespace Streaming.Kafka.State;

/// <summary>Where and how a service keeps partition state (for example <c>Enricher:State</c>).</summary>
public sealed class StateStoreOptions
{
    /// <summary>
    /// Local directory of the RocksDB stores, one sub-directory per partition. On Kubernetes, a volume that
    /// survives restarts saves a full restore from the changelog; an empty one only costs restore time.
    /// </summary>
    [Required]
    public string Directory { get; set; } = Path.Combine(Path.GetTempPath(), "pipeline-state");

    /// <summary>Entries kept in memory per partition; the rest is read from disk.</summary>
    [Range(0, 10_000_000)]
    public int CacheEntriesPerPartition { get; set; } = 10_000;

    /// <summary>RocksDB block cache, shared by every partition of the process.</summary>
    [Range(1L << 20, 1L << 40)]
    public long BlockCacheBytes { get; set; } = 64L << 20;

    /// <summary>RocksDB write buffer (memtable) per partition.</summary>
    [Range(1L << 20, 1L << 32)]
    public long WriteBufferBytes { get; set; } = 8L << 20;
}
