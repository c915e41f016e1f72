namespace Streaming.Kafka;

/// <summary>The cluster this process talks to: a configured one, or the embedded broker.</summary>
public interface IKafkaCluster
{
    string BootstrapServers { get; }

    /// <summary>Says, for logs and test output, which broker this is.</summary>
    string Description { get; }

    /// <summary>
    /// The embedded stand-in, living in this process: it keeps nothing past the process, and holds an empty
    /// fetch for all of fetch.wait.max.ms where a real broker answers when records arrive.
    /// </summary>
    bool InProcess { get; }
}

/// <summary>A cluster named by <c>Kafka:BootstrapServers</c>.</summary>
public sealed class ConfiguredKafkaCluster(string bootstrapServers) : IKafkaCluster
{
    public string BootstrapServers { get; } = bootstrapServers;

    public string Description => $"configured cluster at {BootstrapServers}";

    public bool InProcess => false;
}
