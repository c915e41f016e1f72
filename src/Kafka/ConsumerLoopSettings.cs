namespace Streaming.Kafka;

/// <summary>How one consumer loop reads its topics.</summary>
public sealed record ConsumerLoopSettings(
    string Service,
    IReadOnlyList<ConsumedTopic> Topics,
    string GroupId,
    int MaxBatchSize,
    TimeSpan MaxBatchWait,
    TimeSpan MaxRetryBackoff)
{
    public ConsumerLoopSettings(string service, string topic, Type valueType, string groupId, int maxBatchSize, TimeSpan maxBatchWait, TimeSpan maxRetryBackoff)
        : this(service, [new ConsumedTopic(topic, valueType)], groupId, maxBatchSize, maxBatchWait, maxRetryBackoff)
    {
    }

    /// <summary>The topic names, for logs and traces.</summary>
    public string TopicNames => string.Join(", ", Topics.Select(t => t.Name));
}

/// <summary>A topic a loop reads, and the Avro record type of its values.</summary>
public sealed record ConsumedTopic(string Name, Type ValueType);
