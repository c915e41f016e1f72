using Avro;
using Avro.Specific;
using Streaming.Contracts;

namespace Streaming.Records;

/// <summary>A record a service gave up on, with why (schemas/dead_letter.avsc).</summary>
public sealed class DeadLetter : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.Record("Streaming.Records.DeadLetter");

    /// <summary>
    /// Records a service gave up on; kept a month so that they can be inspected and replayed. Keyed one key
    /// per letter (<see cref="RecordKeys.DeadLetter"/>) and compacted as well as expired: a compliance
    /// request writes a redacted copy under the letter's key, and compaction drops the original.
    /// </summary>
    public static readonly TopicDeclaration KafkaTopic = new(
        "DeadLetters", "pipeline.dead-letters", DefaultPartitions: 3, DefaultRetentionMs: 30L * 24 * 3600 * 1000, Compacted: true);

    public string SourceTopic { get; set; } = "";
    public int SourcePartition { get; set; }
    public long SourceOffset { get; set; }
    public byte[]? Key { get; set; }
    public byte[]? Value { get; set; }
    public string Service { get; set; } = "";
    public string Reason { get; set; } = "";
    public string Error { get; set; } = "";
    public DateTime FailedAt { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => SourceTopic,
        1 => SourcePartition,
        2 => SourceOffset,
        3 => Key,
        4 => Value,
        5 => Service,
        6 => Reason,
        7 => Error,
        8 => FailedAt,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: SourceTopic = (string)fieldValue; break;
            case 1: SourcePartition = (int)fieldValue; break;
            case 2: SourceOffset = (long)fieldValue; break;
            case 3: Key = (byte[]?)fieldValue; break;
            case 4: Value = (byte[]?)fieldValue; break;
            case 5: Service = (string)fieldValue; break;
            case 6: Reason = (string)fieldValue; break;
            case 7: Error = (string)fieldValue; break;
            case 8: FailedAt = (DateTime)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
