using Avro.Specific;
using Streaming.Kafka;

namespace Streaming.Enricher.Tasks;

/// <summary>
/// The records of co-partitioned topics merged by timestamp, each topic partition kept in its own order:
/// a storefront event and a webhook of one cart are handled in the order they happened, not in the order
/// their topics were fetched.
/// </summary>
public static class EventTimeOrder
{
    public static IEnumerable<ConsumedRecord<ISpecificRecord>> Merge(IReadOnlyList<ConsumedRecord<ISpecificRecord>> batch)
    {
        var queues = batch.GroupBy(r => r.Raw.TopicPartition).Select(g => new Queue<ConsumedRecord<ISpecificRecord>>(g)).ToList();
        while (queues.Count > 0)
        {
            var next = queues.MinBy(q => q.Peek().Raw.Message.Timestamp.UnixTimestampMs)!;
            yield return next.Dequeue();
            if (next.Count == 0)
            {
                queues.Remove(next);
            }
        }
    }
}
