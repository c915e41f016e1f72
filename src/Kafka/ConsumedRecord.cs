using System.Diagnostics;
using Confluent.Kafka;
using Streaming.Kafka.Reading;

namespace Streaming.Kafka;

/// <summary>A record as it came off Kafka, with its Avro value decoded.</summary>
public sealed class ConsumedRecord<T>(ConsumeResult<byte[]?, byte[]> raw, T value)
{
    public ConsumeResult<byte[]?, byte[]> Raw { get; } = raw;

    public T Value { get; } = value;

    private ActivityContext? _parent;

    /// <summary>The trace the record was written in (from its traceparent header); default when it carries none.</summary>
    /// <remarks>Read from the headers when first asked for: most readers never ask.</remarks>
    public ActivityContext Parent => _parent ??= RecordTrace.Extract(Raw.Message.Headers);

    /// <summary>Handed on, skipped or dead-lettered: a retry of its batch leaves it alone.</summary>
    public bool Done { get; private set; }

    public void MarkDone() => Done = true;
}
