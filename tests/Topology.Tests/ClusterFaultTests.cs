using Confluent.Kafka;
using Streaming.Development.Kafka;

namespace Streaming.Topology.Tests;

/// <summary>The embedded cluster's faults do what the schedule relies on: clients carry on through each one.</summary>
public sealed class ClusterFaultTests
{
    private const string Topic = "faults";

    [Fact]
    public async Task With_a_broker_down_its_partitions_and_groups_move_and_every_partition_still_takes_writes()
    {
        using var cluster = new EmbeddedKafkaCluster(brokers: 3);
        cluster.CreateTopic(Topic, partitions: 6);
        cluster.AssignGroupCoordinator("faults-group", 1);
        Assert.Equal([1, 2, 3], Enumerable.Range(0, 6).Select(p => cluster.LeaderOf(Topic, p)).Distinct().Order());

        var moved = cluster.TakeBrokerDown(1);

        Assert.Equal(2, moved);
        Assert.DoesNotContain(1, Enumerable.Range(0, 6).Select(p => cluster.LeaderOf(Topic, p)));
        Assert.Equal(2, cluster.GroupCoordinatorOf("faults-group"));
        Assert.Equal(6, await ProduceToEveryPartitionAsync(cluster));
        Assert.Throws<InvalidOperationException>(() => cluster.TakeBrokerDown(2) + cluster.TakeBrokerDown(3));
    }

    [Fact]
    public async Task Moved_leaders_refused_and_slowed_produce_requests_are_retried_to_success()
    {
        using var cluster = new EmbeddedKafkaCluster(brokers: 3);
        cluster.CreateTopic(Topic, partitions: 6);
        var before = Enumerable.Range(0, 6).Select(p => cluster.LeaderOf(Topic, p)).ToList();

        Assert.Equal(6, cluster.MovePartitionLeaders());
        cluster.FailNextRequests(KafkaApi.Produce, ErrorCode.NotEnoughReplicas, ErrorCode.RequestTimedOut);
        cluster.SetRoundTrip(2, TimeSpan.FromMilliseconds(100));

        Assert.All(Enumerable.Range(0, 6), p => Assert.NotEqual(before[p], cluster.LeaderOf(Topic, p)));
        Assert.Equal(6, await ProduceToEveryPartitionAsync(cluster));
    }

    private static async Task<int> ProduceToEveryPartitionAsync(EmbeddedKafkaCluster cluster)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            MessageTimeoutMs = 20_000,
        }).Build();
        var written = await Task.WhenAll(Enumerable.Range(0, 6).Select(p =>
            producer.ProduceAsync(new TopicPartition(Topic, p), new Message<string, string> { Key = "k", Value = "v" })));
        return written.Count(w => w.Status == PersistenceStatus.Persisted);
    }
}
