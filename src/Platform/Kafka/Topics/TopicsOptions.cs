using System.ComponentModel.DataAnnotations;

namespace Streaming.Platform.Kafka.Topics;

/// <summary>The topics the services of this process registered, as configured under <c>Kafka:Topics</c>.</summary>
public sealed class TopicsOptions
{
    private readonly Dictionary<string, (TopicDeclaration Declaration, TopicOptions Options)> _byKey = new(StringComparer.Ordinal);

    public TopicOptions this[TopicDeclaration topic] =>
        _byKey.TryGetValue(topic.Key, out var entry)
            ? entry.Options
            : throw new InvalidOperationException($"The topic Kafka:Topics:{topic.Key} is used but no service of this process registered it (AddTopic).");

    public IEnumerable<TopicOptions> All => _byKey.Values.Select(e => e.Options);

    public IEnumerable<(TopicDeclaration Declaration, TopicOptions Options)> Registered => _byKey.Values;

    /// <summary>Adds a topic; a second registration of the same key (two services in one process) keeps the first.</summary>
    public void Register(TopicDeclaration topic, TopicOptions options) => _byKey.TryAdd(topic.Key, (topic, options));
}

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

    /// <summary>cleanup.policy=compact, for changelog topics that hold the latest value per key.</summary>
    public bool Compacted { get; set; }

    /// <summary>What the provisioner asks for: the configured value, else 2 on a replication factor of 3 or more.</summary>
    public int? EffectiveMinInSyncReplicas => MinInSyncReplicas ?? (ReplicationFactor >= 3 ? 2 : null);
}
