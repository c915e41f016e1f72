using Confluent.Kafka;

namespace Streaming.EndToEnd.Tests.Privacy;

/// <summary>
/// A topic read from its start to where it ends now. <see cref="Latest"/> is what a compacted topic
/// returns once compacted: the newest value of each key, nothing for a key whose newest is a tombstone.
/// The test broker never compacts, so this is how a test sees what compaction leaves.
/// </summary>
internal sealed class TopicSnapshot
{
    private TopicSnapshot(List<ConsumeResult<byte[]?, byte[]?>> records) => Records = records;

    public IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> Records { get; }

    /// <summary>Key to newest value, tombstoned keys left out.</summary>
    public IReadOnlyDictionary<string, byte[]> Latest =>
        Records.GroupBy(r => (r.Partition.Value, Key: Key(r)))
            .Select(g => g.Last())
            .Where(r => r.Message.Value is not null)
            .ToDictionary(r => Key(r), r => r.Message.Value!);

    public static TopicSnapshot Read(string bootstrapServers, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"snapshot-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var ends = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)));
        var open = ends.Where(e => e.Value.High > e.Value.Low).Select(e => e.Key).ToHashSet();
        consumer.Assign(open.Select(p => new TopicPartitionOffset(p, ends[p].Low)));
        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (open.Count > 0 && DateTime.UtcNow < until)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not { } record)
            {
                continue;
            }

            records.Add(record);
            if (record.Offset.Value >= ends[record.TopicPartition].High - 1)
            {
                open.Remove(record.TopicPartition);
            }
        }

        return open.Count == 0 ? new TopicSnapshot(records) : throw new TimeoutException($"{topic} was not read to its end.");
    }

    /// <summary>Whether <paramref name="bytes"/> hold <paramref name="value"/> as UTF-8 text, in any case.</summary>
    public static bool Holds(byte[]? bytes, string value) =>
        bytes is not null && Encoding.UTF8.GetString(bytes).Contains(value, StringComparison.OrdinalIgnoreCase);

    private static string Key(ConsumeResult<byte[]?, byte[]?> record) => record.Message.Key is { } k ? Encoding.UTF8.GetString(k) : "";
}
