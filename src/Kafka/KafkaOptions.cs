using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>The <c>Kafka</c> configuration section.</summary>
public sealed class KafkaOptions
{
    public const string Section = "Kafka";

    /// <summary>The cluster to use. Empty: an embedded broker (librdkafka's mock cluster) in this process.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>
    /// Asks for the embedded broker by name. In the Production environment an empty <see cref="BootstrapServers"/>
    /// alone is refused: a mistyped setting must not put a broker that forgets everything in front of real shops.
    /// </summary>
    public bool UseEmbeddedBroker { get; set; }

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

    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(BootstrapServers);
}
