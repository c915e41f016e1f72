using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>
/// A handler that joins co-partitioned topics by time. Before each batch the loop tells it which of its
/// assigned topic partitions may still hold records beyond the batch, so that its stream time waits for
/// an input that lags (a restart or a partition move starts every input from a backlog, and the one
/// fetched first would otherwise run ahead) instead of ending grace periods on the input that was read
/// first. Kafka Streams holds back the same way: a task goes on only while every input has data buffered
/// or has none left to read.
/// </summary>
public interface IBacklogAware
{
    /// <param name="behind">
    /// The assigned topic partitions whose unread records may exist: the consumer's position is behind the
    /// high watermark of the last fetch, or either is not known yet. The others have nothing left to read.
    /// </param>
    void OnBacklog(IReadOnlySet<TopicPartition> behind);
}
