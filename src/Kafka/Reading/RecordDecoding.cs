using Avro.Specific;
using Confluent.Kafka;
using Streaming.Kafka.Avro;

namespace Streaming.Kafka.Reading;

/// <summary>
/// Turns a record into what the application reads. Returns null for a record the application leaves
/// alone. Throws <see cref="UnreadableRecordException"/> (or what <see cref="AvroSerdes.IsUndecodable"/>
/// names) for a record that can never be read; any other exception means "not yet" (the registry does
/// not answer), and the record waits.
/// </summary>
public delegate Task<T?> DecodeRecord<T>(ConsumeResult<byte[]?, byte[]> record)
    where T : class;

/// <summary>
/// Takes a record that can never be read out of its partition's way (to the dead-letter topic, into a
/// count). Throws when that failed and should be tried again later; the record then waits.
/// </summary>
public delegate Task SetAsideRecord(ConsumeResult<byte[]?, byte[]> record, string reason, string error, CancellationToken cancellationToken);

/// <summary>A record that can never be read, whenever it is tried again, and why.</summary>
public sealed class UnreadableRecordException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}

/// <summary>The decoding every reader shares, and the one place that tells "never" from "not yet".</summary>
public static class RecordDecoding
{
    /// <summary>The reason of a record that is not Avro in the wire format, or names a schema the registry does not have.</summary>
    public const string Undeserializable = "undeserializable";

    /// <summary>Why the record can never be read, or null when reading it may work later.</summary>
    public static string? Unreadable(Exception e) => e switch
    {
        UnreadableRecordException unreadable => unreadable.Reason,
        _ when AvroSerdes.IsUndecodable(e) => Undeserializable,
        _ => null,
    };

    /// <summary>Avro values of one record type.</summary>
    public static DecodeRecord<T> Avro<T>(AvroSerdes serdes)
        where T : class, ISpecificRecord, new() =>
        async record => await serdes.DeserializeAsync<T>(ValueOf(record), record.Topic).ConfigureAwait(false);

    /// <summary>Avro values whose record type depends on the topic.</summary>
    public static DecodeRecord<ISpecificRecord> Avro(AvroSerdes serdes, IReadOnlyDictionary<string, Type> valueTypes) =>
        async record => await serdes.DeserializeAsync(valueTypes[record.Topic], ValueOf(record), record.Topic).ConfigureAwait(false);

    private static byte[] ValueOf(ConsumeResult<byte[]?, byte[]> record) =>
        record.Message.Value is { Length: > 0 } bytes
            ? bytes
            : throw new UnreadableRecordException(Undeserializable, "The record has no value (a tombstone or an empty record).");
}
