using Streaming.Development.Kafka;

namespace Streaming.Platform.Tests.Kafka;

public sealed class EmbeddedKafkaClusterTests
{
    [Fact]
    public async Task It_speaks_the_Kafka_protocol_with_an_idempotent_producer_and_a_KIP_848_group()
    {
        using var cluster = new EmbeddedKafkaCluster(brokers: 3);
        cluster.CreateTopic("roundtrip", partitions: 3);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).Build();

        var delivered = await producer.ProduceAsync("roundtrip", new Message<string, string> { Key = "k", Value = "v" });

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "roundtrip-group",
            GroupProtocol = GroupProtocol.Consumer,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe("roundtrip");
        var read = consumer.Consume(TimeSpan.FromSeconds(15));
        consumer.Close();

        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        Assert.NotNull(read);
        Assert.Equal("v", read.Message.Value);
        Assert.Equal(3, cluster.BootstrapServers.Split(',').Length);
    }

    [Fact]
    public void A_disposed_cluster_refuses_further_use()
    {
        var cluster = new EmbeddedKafkaCluster();
        cluster.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("late", 1));
    }
}
