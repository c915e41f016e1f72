using System.ComponentModel.DataAnnotations;

namespace Streaming.Contracts;

/// <summary>How one topic is named and, when the pipeline creates it, laid out.</summary>
public sealed class TopicOptions
{
    [Required]
    [RegularExpression(@"^[a-zA-Z0-9._-]{1,249}$", ErrorMessage = "A Kafka topic name has 1 to 249 of the characters a-z, A-Z, 0-9, '.', '_' and '-'.")]
    public string Name { get; set; } = "";

    [Range(1, 10_000)]
    public int Partitions { get; set; } = 6;

    /// <summary>-1: the cluster's default.</summary>
    [Range(-1, 32)]
    public short ReplicationFactor { get; set; } = -1;

    /// <summary>retention.ms; null: the cluster's default.</summary>
    public long? RetentionMs { get; set; }

    /// <summary>
    /// min.insync.replicas. Null: 2 when <see cref="ReplicationFactor"/> is 3 or more, so that acks=all
    /// means a write survives a broker; else the cluster's default.
    /// </summary>
    [Range(1, 32)]
    public int? MinInSyncReplicas { get; set; }

    /// <summary>
    /// cleanup.policy=compact, for changelog topics that hold the latest value per key; with a
    /// <see cref="RetentionMs"/>, compact,delete (and max.compaction.lag.ms of a day), for a topic whose
    /// records may be superseded by a redacted copy and still expire.
    /// </summary>
    public bool Compacted { get; set; }

    /// <summary>What the provisioner asks for: the configured value, else 2 on a replication factor of 3 or more.</summary>
    public int? EffectiveMinInSyncReplicas => MinInSyncReplicas ?? (ReplicationFactor >= 3 ? 2 : null);
}
