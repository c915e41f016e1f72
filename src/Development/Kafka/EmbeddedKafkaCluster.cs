using System.Runtime.InteropServices;
using Streaming.Contracts;
using Streaming.Kafka;
using Streaming.Kafka.Topics;

namespace Streaming.Development.Kafka;

/// <summary>
/// Kafka brokers inside this process (librdkafka's mock cluster): the real wire protocol on 127.0.0.1
/// ports, reachable by any client in any process while this one lives. For local runs and tests only:
/// it keeps about 5 MiB per partition, does not compact, and does not implement the topic admin API.
/// With several brokers every topic is replicated to all of them, so that a test can take one down and
/// move leadership, as a controller would (see the fault methods in EmbeddedKafkaCluster.Faults.cs).
/// </summary>
public sealed partial class EmbeddedKafkaCluster : IKafkaCluster, IDisposable
{
    private readonly Lock _gate = new();
    private IntPtr _owner;
    private IntPtr _cluster;

    public EmbeddedKafkaCluster(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        Brokers = brokers;
        _owner = LibrdkafkaMock.NewOwnerHandle();
        _cluster = LibrdkafkaMock.rd_kafka_mock_cluster_new(_owner, brokers);
        if (_cluster == IntPtr.Zero)
        {
            LibrdkafkaMock.rd_kafka_destroy(_owner);
            throw new InvalidOperationException("librdkafka could not start a mock cluster.");
        }

        // The default 3 s wait for more group members only slows down the first poll.
        LibrdkafkaMock.rd_kafka_mock_group_initial_rebalance_delay_ms(_cluster, 0);
        BootstrapServers = Marshal.PtrToStringUTF8(LibrdkafkaMock.rd_kafka_mock_cluster_bootstraps(_cluster))
            ?? throw new InvalidOperationException("The mock cluster has no bootstrap address.");
    }

    public int Brokers { get; }

    public string BootstrapServers { get; }

    public string Description => $"embedded broker (librdkafka mock cluster, {Brokers} broker(s)) at {BootstrapServers}";

    public bool InProcess => true;

    public void CreateTopic(TopicOptions topic) => CreateTopic(topic.Name, topic.Partitions);

    public void CreateTopic(string name, int partitions)
    {
        lock (_gate)
        {
            var error = LibrdkafkaMock.rd_kafka_mock_topic_create(Live(), name, partitions, Brokers);
            if (error != 0)
            {
                throw new InvalidOperationException($"The mock cluster could not create topic {name}: error {error}.");
            }

            PlaceLeaders(name, partitions);
        }
    }

    /// <summary>Takes every broker down: clients see refused connections until <see cref="Restore"/>.</summary>
    public void TakeDown()
    {
        lock (_gate)
        {
            for (var id = 1; id <= Brokers; id++)
            {
                _ = LibrdkafkaMock.rd_kafka_mock_broker_set_down(Live(), id);
                _down.Add(id);
            }
        }
    }

    public void Restore()
    {
        lock (_gate)
        {
            for (var id = 1; id <= Brokers; id++)
            {
                _ = LibrdkafkaMock.rd_kafka_mock_broker_set_up(Live(), id);
            }

            _down.Clear();
        }
    }

    /// <summary>Delays every broker's answers by <paramref name="roundTrip"/>: a slow cluster, for tests of what waits on it.</summary>
    public void SetRoundTrip(TimeSpan roundTrip)
    {
        for (var id = 1; id <= Brokers; id++)
        {
            _ = LibrdkafkaMock.rd_kafka_mock_broker_set_rtt(Live(), id, (int)roundTrip.TotalMilliseconds);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != IntPtr.Zero)
            {
                LibrdkafkaMock.rd_kafka_mock_cluster_destroy(_cluster);
                _cluster = IntPtr.Zero;
            }

            if (_owner != IntPtr.Zero)
            {
                LibrdkafkaMock.rd_kafka_destroy(_owner);
                _owner = IntPtr.Zero;
            }
        }
    }

    private IntPtr Live() =>
        _cluster != IntPtr.Zero ? _cluster : throw new ObjectDisposedException(nameof(EmbeddedKafkaCluster));
}
