using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Streaming.Kafka;

/// <summary>Builds every Kafka client of a process from one place, so they share settings and the broker.</summary>
public sealed partial class KafkaClientFactory(IOptions<KafkaOptions> options, IKafkaCluster cluster, ILoggerFactory loggers)
{
    private readonly KafkaOptions _options = options.Value;

    // librdkafka writes to stderr unless given a handler; this puts its lines into the service's logs.
    private readonly ILogger _librdkafka = loggers.CreateLogger("Librdkafka");

    public string BootstrapServers => cluster.BootstrapServers;

    private ProducerConfig ProducerConfig(string clientId) =>
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
        if (cluster.InProcess && !_options.Client.ContainsKey("fetch.wait.max.ms"))
        {
            // The embedded broker holds an empty fetch for all of fetch.wait.max.ms (500 ms by default) even
            // when records arrive meanwhile, where a real broker answers at once: without this, every
            // consumer hop would add a quarter of a second on average.
            config.FetchWaitMaxMs = 10;
        }
        if (_options.GroupProtocol == GroupProtocol.Classic)
        {
            config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        }

        return config;
    }

    private AdminClientConfig AdminConfig(string clientId) => new(Common(clientId));

    public IProducer<byte[]?, byte[]> CreateProducer(string clientId, Action<Error> onError) =>
        new ProducerBuilder<byte[]?, byte[]>(ProducerConfig(clientId))
            .SetLogHandler((_, m) => Log(m))
            .SetErrorHandler((_, e) => onError(e))
            .Build();

    public IAdminClient CreateAdminClient(string clientId) =>
        new AdminClientBuilder(AdminConfig(clientId)).SetLogHandler((_, m) => Log(m)).Build();

    /// <summary>
    /// A consumer that is a member of <paramref name="groupId"/> for <paramref name="service"/>: a static
    /// member named <c>&lt;Kafka:GroupInstanceId&gt;-&lt;service&gt;</c> when the process has a lasting name
    /// (see <see cref="KafkaOptions.GroupInstanceId"/>), else a dynamic one.
    /// </summary>
    /// <param name="coPartitioned">
    /// The group joins topics by key: every member must get the same partition numbers of each, which
    /// only the range assignor promises, in either group protocol.
    /// </param>
    /// <param name="statisticsInterval">How often librdkafka's statistics reach the builder's statistics handler; none when null.</param>
    public ConsumerBuilder<byte[]?, byte[]> GroupMemberBuilder(string service, string groupId, bool coPartitioned = false, TimeSpan? statisticsInterval = null)
    {
        var config = ConsumerConfig($"{service}-{Environment.MachineName}", groupId);
        if (statisticsInterval is { } interval)
        {
            config.StatisticsIntervalMs = (int)interval.TotalMilliseconds;
        }

        if (GroupInstanceId(service) is { } instance)
        {
            config.GroupInstanceId = instance;
        }

        if (_options.GroupProtocol == GroupProtocol.Classic)
        {
            // Under KIP-848 the broker owns the session timeout, and librdkafka refuses the setting.
            config.SessionTimeoutMs = (int)_options.SessionTimeout.TotalMilliseconds;
        }

        if (coPartitioned && _options.GroupProtocol == GroupProtocol.Consumer)
        {
            config.Set("group.remote.assignor", "range");
        }
        else if (coPartitioned)
        {
            config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range;
        }

        return new ConsumerBuilder<byte[]?, byte[]>(config).SetLogHandler((_, m) => Log(m));
    }

    /// <summary>The static member name <paramref name="service"/>'s group consumer joins with; null for dynamic membership.</summary>
    public string? GroupInstanceId(string service) =>
        string.IsNullOrWhiteSpace(_options.GroupInstanceId) ? null : $"{_options.GroupInstanceId}-{service}";

    private void Log(LogMessage message)
    {
        var level = message.Level switch
        {
            <= SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        LogLibrdkafka(_librdkafka, level, message.Name, message.Facility, message.Message);
    }

    [LoggerMessage(Message = "{Client} {Facility}: {Message}")]
    private static partial void LogLibrdkafka(ILogger logger, LogLevel level, string client, string facility, string message);

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
