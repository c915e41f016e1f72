using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>
/// A handler that keeps state per partition. The consumer loop calls these on its own thread, between
/// batches: assigned before the partitions' first record is handled (restore there), revoked after the
/// last batch that held their records (flush and close), lost when they were taken without a hand-over
/// (drop what may be stale).
/// </summary>
public interface IPartitionAware
{
    void OnAssigned(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken);

    void OnRevoked(IReadOnlyList<TopicPartition> partitions);

    void OnLost(IReadOnlyList<TopicPartition> partitions);
}

/// <summary>
/// A handler with work that is due by time, not by records (a grace period running out on a quiet
/// partition). The loop calls it after every batch and every idle poll, never during a batch.
/// </summary>
public interface IPunctuated
{
    Task PunctuateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// How soon work that is not yet due will be: an idle poll waits no longer, so the work is done on
    /// time rather than up to a whole idle poll late. Null: nothing is scheduled.
    /// </summary>
    TimeSpan? DueIn() => null;
}
