namespace Streaming.Platform.Kafka;

/// <summary>How one consumer loop reads its topic.</summary>
public sealed record ConsumerLoopSettings(
    string Service,
    string Topic,
    string GroupId,
    int MaxBatchSize,
    TimeSpan MaxBatchWait,
    TimeSpan MaxRetryBackoff);
