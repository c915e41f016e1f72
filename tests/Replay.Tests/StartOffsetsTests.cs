using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Streaming.Kafka;
using Streaming.Kafka.Topics;

namespace Streaming.Replay.Tests;

/// <summary>Finding where a time range starts: the broker's time index where it answers, else a search over record timestamps.</summary>
[Collection(OnKafka.Name)]
public sealed class StartOffsetsTests(KafkaFixture kafka)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_first_record_at_or_after_the_time_is_found_in_every_partition()
    {
        var topic = new TopicOptions { Name = KafkaFixture.UniqueTopic("offsets"), Partitions = 2 };
        await kafka.CreateTopicsAsync(topic);
        // Partition 0: a record a minute from T0; partition 1: one every two minutes.
        await ProduceAsync(topic.Name, 0, Enumerable.Range(0, 100).Select(i => T0.AddMinutes(i)));
        await ProduceAsync(topic.Name, 1, Enumerable.Range(0, 50).Select(i => T0.AddMinutes(2 * i)));
        var offsets = new StartOffsets(Clients(), NullLogger<StartOffsets>.Instance);

        var ranges = offsets.Find(topic.Name, T0.AddMinutes(41), CancellationToken.None);
        var after = offsets.Find(topic.Name, T0.AddDays(1), CancellationToken.None);
        var before = offsets.Find(topic.Name, T0.AddDays(-1), CancellationToken.None);

        Assert.Equal([41L, 21L], ranges.Select(r => r.Start));
        Assert.Equal([100L, 50L], ranges.Select(r => r.End));
        Assert.Equal([100L, 50L], after.Select(r => r.Start));
        Assert.Equal([0L, 0L], before.Select(r => r.Start));
        if (kafka.Embedded is not null)
        {
            // The mock broker answers -1 to every OffsetsForTimes: only the search can have found these.
            Assert.All(ranges, r => Assert.Equal(StartOffsets.TimestampSearch, r.Path));
        }
        else
        {
            Assert.All(ranges, r => Assert.Equal(StartOffsets.TimeIndex, r.Path));
        }
    }

    private async Task ProduceAsync(string topic, int partition, IEnumerable<DateTimeOffset> times)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, LingerMs = 5 }).Build();
        foreach (var at in times)
        {
            producer.Produce(new TopicPartition(topic, partition), new Message<string, byte[]> { Key = "k", Value = [1], Timestamp = new Timestamp(at.UtcDateTime) });
        }

        await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(30)));
    }

    private KafkaClientFactory Clients() => new(
        Options.Create(new KafkaOptions { BootstrapServers = kafka.BootstrapServers }),
        new ConfiguredKafkaCluster(kafka.BootstrapServers),
        NullLoggerFactory.Instance);
}
