using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;

namespace Streaming.Platform.Kafka;

/// <summary>The <c>Kafka</c> configuration section.</summary>
public sealed class KafkaOptions
{
    public const string Section = "Kafka";

    /// <summary>The cluster to use. Empty: an embedded broker (librdkafka's mock cluster) in this process.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>KIP-848 <c>Consumer</c> by default (generally available since Kafka 4.0); <c>Classic</c> for older clusters.</summary>
    public GroupProtocol GroupProtocol { get; set; } = GroupProtocol.Consumer;

    /// <summary>Extra librdkafka properties for every client, for example <c>security.protocol</c> or <c>sasl.mechanism</c>.</summary>
    public Dictionary<string, string> Client { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long a producer may try to deliver a record before the write counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long topic provisioning may wait for the cluster at start.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ProvisioningTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Create missing topics at start.</summary>
    public bool ProvisionTopics { get; set; } = true;

    /// <summary>Brokers in the embedded cluster, when <see cref="BootstrapServers"/> is empty.</summary>
    [Range(1, 5)]
    public int EmbeddedBrokers { get; set; } = 1;

    [Required]
    public TopicsOptions Topics { get; set; } = new();

    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(BootstrapServers);
}

/// <summary>Every topic the pipeline reads or writes.</summary>
public sealed class TopicsOptions
{
    /// <summary>Verified Shopify webhook deliveries, written by Ingest (Avro <c>ShopifyWebhook</c>).</summary>
    public TopicOptions ShopifyWebhooks { get; set; } = new() { Name = "shopify.webhooks", Partitions = 6, RetentionMs = 7L * 24 * 3600 * 1000 };

    /// <summary>Events ready for Pinterest, written by the Enricher (Avro <c>PinterestEvent</c>).</summary>
    public TopicOptions PinterestEvents { get; set; } = new() { Name = "pinterest.events", Partitions = 6, RetentionMs = 7L * 24 * 3600 * 1000 };

    /// <summary>Records a service gave up on (Avro <c>DeadLetter</c>).</summary>
    public TopicOptions DeadLetters { get; set; } = new() { Name = "pipeline.dead-letters", Partitions = 3, RetentionMs = 30L * 24 * 3600 * 1000 };

    public IEnumerable<TopicOptions> All => [ShopifyWebhooks, PinterestEvents, DeadLetters];
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

    /// <summary>min.insync.replicas; null: the cluster's default. With acks=all, 2 or more is what makes a write survive a broker.</summary>
    [Range(1, 32)]
    public int? MinInSyncReplicas { get; set; }

    /// <summary>cleanup.policy=compact, for changelog topics that hold the latest value per key.</summary>
    public bool Compacted { get; set; }
}
