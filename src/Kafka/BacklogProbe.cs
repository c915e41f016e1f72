using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>
/// Finds how many records of each assigned topic partition the consumer has not returned yet. The
/// position and the high watermark are the client's own (no broker call), except for a partition nothing
/// was read from since it was assigned: it has no position, so its committed offset, asked once, stands in.
/// The high watermark is the one of the last fetch: a paused partition is not fetched, so its count
/// stays where it was when the pause began. Polling thread only.
/// </summary>
internal sealed class BacklogProbe
{
    private static readonly TimeSpan CommittedTimeout = TimeSpan.FromSeconds(2);

    private readonly Dictionary<TopicPartition, Offset> _start = [];

    /// <summary>The assigned partitions that may still hold records the consumer has not returned.</summary>
    public HashSet<TopicPartition> Behind(IConsumer<byte[]?, byte[]> consumer) =>
        Unread(consumer).Where(u => u.Value is not 0).Select(u => u.Key).ToHashSet();

    /// <summary>
    /// Per assigned partition, the records between the consumer's position and the high watermark; null
    /// where either is not known yet (nothing fetched, or no committed offset learned), when anything may be there.
    /// </summary>
    public Dictionary<TopicPartition, long?> Unread(IConsumer<byte[]?, byte[]> consumer)
    {
        var unread = new Dictionary<TopicPartition, long?>();
        var unknownStart = new List<TopicPartition>();
        foreach (var partition in consumer.Assignment)
        {
            var high = consumer.GetWatermarkOffsets(partition).High;
            var position = consumer.Position(partition);
            if (high.IsSpecial)
            {
                // Not fetched yet: anything may be there.
                unread[partition] = null;
            }
            else if (!position.IsSpecial || _start.TryGetValue(partition, out position))
            {
                unread[partition] = Between(position, high);
            }
            else
            {
                unknownStart.Add(partition);
            }
        }

        if (unknownStart.Count > 0)
        {
            LearnStart(consumer, unknownStart);
            foreach (var partition in unknownStart)
            {
                unread[partition] = _start.TryGetValue(partition, out var start)
                    ? Between(start, consumer.GetWatermarkOffsets(partition).High)
                    : null;
            }
        }

        return unread;
    }

    /// <summary>Partitions assigned anew or given up: their committed offsets are asked again when needed.</summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _start.Remove(partition);
        }
    }

    private void LearnStart(IConsumer<byte[]?, byte[]> consumer, List<TopicPartition> partitions)
    {
        try
        {
            foreach (var committed in consumer.Committed(partitions, CommittedTimeout))
            {
                // No committed offset: reading starts at the beginning of the log (auto.offset.reset=earliest).
                var start = committed.Offset.IsSpecial ? consumer.GetWatermarkOffsets(committed.TopicPartition).Low : committed.Offset;
                if (!start.IsSpecial)
                {
                    _start[committed.TopicPartition] = start;
                }
            }
        }
        catch (KafkaException)
        {
            // Unknown for now: the partitions count as behind, and the next measurement asks again.
        }
    }

    private static long? Between(Offset position, Offset high) =>
        high.IsSpecial ? null : Math.Max(0, high.Value - position.Value);
}
