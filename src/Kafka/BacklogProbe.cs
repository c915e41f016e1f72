using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>
/// Finds the assigned topic partitions that may still hold records the consumer has not returned. The
/// position and the high watermark are the client's own (no broker call), except for a partition nothing
/// was read from since it was assigned: it has no position, so its committed offset, asked once, stands in.
/// </summary>
internal sealed class BacklogProbe
{
    private static readonly TimeSpan CommittedTimeout = TimeSpan.FromSeconds(2);

    private readonly Dictionary<TopicPartition, Offset> _start = [];

    public HashSet<TopicPartition> Behind(IConsumer<byte[]?, byte[]> consumer)
    {
        var behind = new HashSet<TopicPartition>();
        var unread = new List<TopicPartition>();
        foreach (var partition in consumer.Assignment)
        {
            var high = consumer.GetWatermarkOffsets(partition).High;
            var position = consumer.Position(partition);
            if (high.IsSpecial)
            {
                // Not fetched yet: anything may be there.
                behind.Add(partition);
            }
            else if (!position.IsSpecial || _start.TryGetValue(partition, out position))
            {
                AddIfBehind(behind, partition, position, high);
            }
            else
            {
                unread.Add(partition);
            }
        }

        if (unread.Count > 0)
        {
            LearnStart(consumer, unread);
            foreach (var partition in unread)
            {
                if (_start.TryGetValue(partition, out var start))
                {
                    AddIfBehind(behind, partition, start, consumer.GetWatermarkOffsets(partition).High);
                }
                else
                {
                    behind.Add(partition);
                }
            }
        }

        return behind;
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
            // Unknown for now: the partitions count as behind, and the next batch asks again.
        }
    }

    private static void AddIfBehind(HashSet<TopicPartition> behind, TopicPartition partition, Offset position, Offset high)
    {
        if (position < high)
        {
            behind.Add(partition);
        }
    }
}
