using Confluent.Kafka;

namespace Streaming.Platform.Kafka;

/// <summary>A record as it came off Kafka, with its Avro value decoded.</summary>
public sealed record ConsumedRecord<T>(ConsumeResult<byte[]?, byte[]> Raw, T Value);

/// <summary>
/// Handles a batch of records. Returns once every record is done: handed on, skipped on purpose, or
/// dead-lettered. Throws when the batch should be tried again later (a broker or an API is unreachable).
/// </summary>
public interface IRecordBatchHandler<T>
{
    Task HandleAsync(IReadOnlyList<ConsumedRecord<T>> batch, CancellationToken cancellationToken);
}

/// <summary>How one consumer loop reads its topic.</summary>
public sealed record ConsumerLoopSettings(
    string Service,
    string Topic,
    string GroupId,
    int MaxBatchSize,
    TimeSpan MaxBatchWait,
    TimeSpan MaxRetryBackoff);
