namespace Streaming.Kafka;

/// <summary>
/// Handles a batch of records. Returns once every record is done: handed on, skipped on purpose, or
/// dead-lettered. Throws when the rest of the batch should be tried again later (a broker or an API is
/// unreachable); records it marked <see cref="ConsumedRecord{T}.MarkDone"/> before that are not handed
/// to it again.
/// </summary>
public interface IRecordBatchHandler<T>
{
    Task HandleAsync(IReadOnlyList<ConsumedRecord<T>> batch, CancellationToken cancellationToken);
}
