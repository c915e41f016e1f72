using System.Diagnostics;
using Confluent.Kafka;
using Streaming.Platform.Kafka.Reading;

namespace Streaming.Platform.Kafka;

/// <summary>A record as it came off Kafka, with its Avro value decoded.</summary>
public sealed class ConsumedRecord<T>(ConsumeResult<byte[]?, byte[]> raw, T value)
{
    public ConsumeResult<byte[]?, byte[]> Raw { get; } = raw;

    public T Value { get; } = value;

    /// <summary>The trace the record was written in (from its traceparent header); default when it carries none.</summary>
    public ActivityContext Parent { get; } = RecordTrace.Extract(raw.Message.Headers);

    /// <summary>Handed on, skipped or dead-lettered: a retry of its batch leaves it alone.</summary>
    public bool Done { get; private set; }

    public void MarkDone() => Done = true;
}
