using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>A record as it came off Kafka, with its Avro value decoded.</summary>
public sealed class ConsumedRecord<T>(ConsumeResult<byte[]?, byte[]> raw, T value)
{
    public ConsumeResult<byte[]?, byte[]> Raw { get; } = raw;

    public T Value { get; } = value;

    /// <summary>Handed on, skipped or dead-lettered: a retry of its batch leaves it alone.</summary>
    public bool Done { get; private set; }

    public void MarkDone() => Done = true;
}
