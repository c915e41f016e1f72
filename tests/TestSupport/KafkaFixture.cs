using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streaming.Development.Kafka;
using Streaming.Kafka;
using Streaming.Kafka.Topics;
using Testcontainers.Kafka;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Streaming.TestSupport;

/// <summary>
/// The broker that integration tests run against: the cluster named by KAFKA_BOOTSTRAP_SERVERS; else real
/// Apache Kafka in Docker (Testcontainers) when a Docker daemon answers; else librdkafka's mock cluster in
/// this process. The test output says which one served.
/// </summary>
public sealed class KafkaFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    private KafkaContainer? _container;

    public string BootstrapServers { get; private set; } = "";

    public string Description { get; private set; } = "";

    /// <summary>Set when the mock cluster serves: it cannot create topics through the admin API.</summary>
    public EmbeddedKafkaCluster? Embedded { get; private set; }

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            BootstrapServers = configured;
            Description = $"cluster from KAFKA_BOOTSTRAP_SERVERS at {configured}";
        }
        else if (await DockerAnswersAsync() is { } docker)
        {
            _container = new KafkaBuilder("apache/kafka:4.1.0").Build();
            await _container.StartAsync();
            BootstrapServers = _container.GetBootstrapAddress();
            Description = $"Apache Kafka in Docker (Testcontainers, {docker}) at {BootstrapServers}";
        }
        else
        {
            Embedded = new EmbeddedKafkaCluster();
            BootstrapServers = Embedded.BootstrapServers;
            Description = $"{Embedded.Description}; no KAFKA_BOOTSTRAP_SERVERS and no Docker daemon answered";
        }

        Announce($"Kafka broker: {Description}");
    }

    public async Task DisposeAsync()
    {
        Embedded?.Dispose();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    /// <summary>A topic name no other test uses, so tests can share one cluster.</summary>
    public static string UniqueTopic(string prefix) => $"{prefix}.{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>Every pipeline topic with a unique name, created on the broker.</summary>
    public async Task<TestTopics> CreateTopicsAsync(int partitions = 3)
    {
        var topics = TestTopics.Unique(partitions);
        await CreateTopicsAsync(topics.All.ToArray());
        return topics;
    }

    public async Task CreateTopicsAsync(params TopicOptions[] topics)
    {
        if (Embedded is not null)
        {
            foreach (var topic in topics)
            {
                Embedded.CreateTopic(topic);
            }

            return;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        try
        {
            await admin.CreateTopicsAsync(
                topics.Select(t => new TopicSpecification { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = 1 }),
                new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(15), OperationTimeout = TimeSpan.FromSeconds(15) });
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
        }
        catch (KafkaException e)
        {
            throw new InvalidOperationException(
                $"The tests create their own topics, and the {Description} refused: {e.Error.Reason}. " +
                "Use a cluster that allows CreateTopics for this client.", e);
        }
    }

    /// <summary>Writes records to <paramref name="topic"/> as another producer would, in order, and waits for all of them.</summary>
    public async Task ProduceAsync(string topic, IEnumerable<(string Key, byte[]? Value)> records, int? partition = null)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = BootstrapServers, LingerMs = 5 }).Build();
        var target = partition is { } p ? new TopicPartition(topic, new Partition(p)) : new TopicPartition(topic, Partition.Any);
        foreach (var (key, value) in records)
        {
            producer.Produce(target, new Message<string, byte[]> { Key = key, Value = value! });
        }

        await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Every record on <paramref name="topic"/> until <paramref name="count"/> arrived or the time is up.</summary>
    public List<ConsumeResult<byte[]?, byte[]>> ReadAll(string topic, int count, TimeSpan within) => ReadAll(BootstrapServers, topic, count, within);

    /// <summary>Every record on <paramref name="topic"/> of the cluster at <paramref name="bootstrapServers"/>, as <see cref="ReadAll(string, int, TimeSpan)"/>.</summary>
    public static List<ConsumeResult<byte[]?, byte[]>> ReadAll(string bootstrapServers, string topic, int count, TimeSpan within)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"test-reader-{Guid.NewGuid():N}",
            GroupProtocol = GroupProtocol.Consumer,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<byte[]?, byte[]>>();
        var until = DateTime.UtcNow + within;
        while (records.Count < count && DateTime.UtcNow < until)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
            {
                records.Add(record);
            }
        }

        consumer.Close();
        return records;
    }

    private void Announce(string message)
    {
        diagnostics.OnMessage(new DiagnosticMessage(message));
        Console.WriteLine(message);
    }

    private static async Task<string?> DockerAnswersAsync()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        try
        {
            using var socket = host is not null && host.StartsWith("tcp://", StringComparison.Ordinal)
                ? await ConnectTcpAsync(new Uri(host))
                : await ConnectUnixAsync(host is not null && host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : "/var/run/docker.sock");
            if (socket is null)
            {
                return null;
            }

            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"));
            var buffer = new byte[256];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            var answer = Encoding.ASCII.GetString(buffer, 0, read);
            return answer.Contains(" 200 ", StringComparison.Ordinal) ? host ?? "/var/run/docker.sock" : null;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return null;
        }
    }

    private static async Task<Socket?> ConnectUnixAsync(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static async Task<Socket?> ConnectTcpAsync(Uri uri)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await socket.ConnectAsync(uri.Host, uri.Port, timeout.Token);
        return socket;
    }
}
