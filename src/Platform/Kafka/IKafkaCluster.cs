namespace Streaming.Platform.Kafka;

/// <summary>The cluster this process talks to: a configured one, or the embedded broker.</summary>
public interface IKafkaCluster
{
    string BootstrapServers { get; }

    /// <summary>Says, for logs and test output, which broker this is.</summary>
    string Description { get; }
}

/// <summary>A cluster named by <c>Kafka:BootstrapServers</c>.</summary>
public sealed class ConfiguredKafkaCluster(string bootstrapServers) : IKafkaCluster
{
    public string BootstrapServers { get; } = bootstrapServers;

    public string Description => $"configured cluster at {BootstrapServers}";
}
