using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Streaming.Platform.Kafka;

/// <summary>Builds every Kafka client of a process from one place, so they share settings and the broker.</summary>
public sealed class KafkaClientFactory(IOptions<KafkaOptions> options, IKafkaCluster cluster)
{
    private readonly KafkaOptions _options = options.Value;

    public string BootstrapServers => cluster.BootstrapServers;

    public ProducerConfig ProducerConfig(string clientId) =>
        new(Common(clientId))
        {
            // Idempotence needs acks=all and keeps retries from duplicating or reordering records.
            EnableIdempotence = true,
            Acks = Acks.All,
            MessageTimeoutMs = (int)_options.DeliveryTimeout.TotalMilliseconds,
            LingerMs = 5,
            CompressionType = CompressionType.Lz4,
        };

    public ConsumerConfig ConsumerConfig(string clientId, string groupId)
    {
        var config = new ConsumerConfig(Common(clientId))
        {
            GroupId = groupId,
            GroupProtocol = _options.GroupProtocol,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // Offsets are stored by hand once a record is fully handled; the stored ones are committed in the background.
            EnableAutoOffsetStore = false,
            EnableAutoCommit = true,
            EnablePartitionEof = false,
        };
        if (_options.GroupProtocol == GroupProtocol.Classic)
        {
            config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        }

        return config;
    }

    public AdminClientConfig AdminConfig(string clientId) => new(Common(clientId));

    public IProducer<byte[]?, byte[]> CreateProducer(string clientId) =>
        new ProducerBuilder<byte[]?, byte[]>(ProducerConfig(clientId)).Build();

    public IAdminClient CreateAdminClient(string clientId) =>
        new AdminClientBuilder(AdminConfig(clientId)).Build();

    private Dictionary<string, string> Common(string clientId)
    {
        var config = new Dictionary<string, string>(_options.Client, StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = cluster.BootstrapServers,
            ["client.id"] = clientId,
        };
        return config;
    }
}
