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

    /// <summary>
    /// This process's lasting name in its consumer groups (static membership, KIP-345), for example the
    /// pod's name, which a StatefulSet keeps across restarts. Empty: dynamic membership. Each group
    /// consumer joins as <c>&lt;GroupInstanceId&gt;-&lt;service&gt;</c>, so one process that runs several
    /// groups (the all-in-one Pipeline) still has one id per consumer. A member that restarts within the
    /// session timeout gets its own partitions back without a rebalance, and with them its local state:
    /// only the changelog's tail is restored, not whole partitions.
    /// <para>
    /// What stopping means then: Close() still commits and hands the partitions over locally, but the
    /// member does not leave the group (by design), so its partitions wait, unread, for it to come back;
    /// after a scale-down they move to the others only once the session timeout has passed.
    /// </para>
    /// <para>
    /// Both group protocols support it (Confluent.Kafka 2.12+ for <c>Consumer</c>). They differ on a
    /// second member with the same id: <c>Classic</c> fences the member already in the group;
    /// <c>Consumer</c> (KIP-848) refuses the newcomer with UNRELEASED_INSTANCE_ID, a fatal error, until
    /// the old one left cleanly or its session timed out. So a pod that crashed without closing may be
    /// refused when it comes back within the session timeout: the host stops, and Kubernetes restarts it
    /// until the broker has let the old session go. Never give two live processes the same id.
    /// </para>
    /// </summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>
    /// How long the group waits for a member it no longer hears from before its partitions move; set it
    /// longer than a restart takes, so that a restarted static member finds its partitions still its own.
    /// Applies to the <c>Classic</c> protocol (session.timeout.ms, within the broker's
    /// group.min/max.session.timeout.ms). With <c>Consumer</c> (KIP-848) the broker decides: its
    /// group.consumer.session.timeout.ms (45 s by default, allowed 45 to 60 s by default), or the group's own
    /// consumer.session.timeout.ms set with kafka-configs --entity-type groups.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:06", "00:30:00")]
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

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
