using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Reflection;
using Avro.IO;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Microsoft.Extensions.Options;

namespace Streaming.Kafka.Avro;

/// <summary>
/// Avro in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro binary) for every
/// record value, one writer and one deserializer per record type, shared by the whole process.
/// </summary>
/// <remarks>
/// Values are written here rather than by Confluent's <c>AvroSerializer</c>: that one looks the schema id
/// up by the whole schema text on every record, which cost more than the Avro encoding itself. The bytes
/// are the same (a test compares them). Reading is done here too, for the same reason (see
/// <see cref="ReaderAsync{T}"/>); a test reads what Confluent's serializer wrote.
/// </remarks>
public sealed class AvroSerdes(ISchemaRegistryClient registry, IOptions<SchemaRegistryOptions> options)
{
    /// <summary>
    /// The value can never be read, whenever it is tried again: not in the wire format, bad Avro, or a
    /// schema id the registry does not know. A registry that does not answer is not such a failure.
    /// </summary>
    public static bool IsUndecodable(Exception e) =>
        e is InvalidDataException or global::Avro.AvroException or InvalidCastException or FormatException
        || e is SchemaRegistryException { Status: System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.UnprocessableEntity };

    private const byte MagicByte = 0;
    private const int HeaderLength = 5;
    private const int MaxKeptBuffer = 64 * 1024;

    private readonly ConcurrentDictionary<(Type Type, string Topic), Lazy<Task<int>>> _schemaIds = new();
    private readonly ConcurrentDictionary<Type, RecordWriter> _writers = new();
    private readonly ConcurrentDictionary<(Type Type, int SchemaId), Lazy<Task<object>>> _readers = new();

    // The schemas this process registered (or looked up) itself, by the id the registry gave them: what it
    // wrote it can read back without asking again, so a registry outage never stalls a replica that is up
    // on its own records (the enricher's waiting orders keep their drafts in this form).
    private readonly ConcurrentDictionary<int, global::Avro.Schema> _registered = new();
    private readonly ConcurrentDictionary<Type, Func<AvroSerdes, byte[]?, string, Task<ISpecificRecord>>> _untyped = new();

    [ThreadStatic]
    private static BufferEncoder? _encoder;

    public async Task<byte[]> SerializeAsync<T>(T value, string topic)
        where T : ISpecificRecord
    {
        var schemaId = await SchemaIdAsync(value, topic).ConfigureAwait(false);
        // By the value's own type: a caller holding it as ISpecificRecord must not get another record type's writer.
        var writer = _writers.GetOrAdd(value.GetType(), _ => new RecordWriter(value.Schema));
        // One buffer per thread, reused: the value is encoded into it, and only the result is a new array.
        var encoder = _encoder ??= new BufferEncoder(1024);
        encoder.Reset();
        encoder.WriteRawByte(MagicByte);
        encoder.WriteInt32BigEndian(schemaId);
        writer.Write(value, encoder);
        var bytes = encoder.ToArray();
        if (encoder.Capacity > MaxKeptBuffer)
        {
            // A large webhook body does not keep its buffer alive on every thread it passed through.
            _encoder = null;
        }

        return bytes;
    }

    /// <summary>
    /// Reads a value in the Confluent wire format with the writer's schema (fetched from the registry by
    /// id, once) resolved against <typeparamref name="T"/>'s, as Confluent's deserializer does.
    /// </summary>
    public async Task<T> DeserializeAsync<T>(byte[]? data, string topic)
        where T : ISpecificRecord, new()
    {
        if (data is null || data.Length < HeaderLength)
        {
            throw new InvalidDataException($"Expecting data framing of length {HeaderLength} bytes or more but total data size is {data?.Length ?? 0} bytes");
        }

        if (data[0] != MagicByte)
        {
            throw new InvalidDataException($"Invalid magic byte: {data[0]}");
        }

        var reader = (SpecificDatumReader<T>)await ReaderAsync<T>(BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(1))).ConfigureAwait(false);
        using var stream = new MemoryStream(data, HeaderLength, data.Length - HeaderLength, writable: false);
        return reader.Read(default!, new BinaryDecoder(stream));
    }

    // One reader per record type and writer schema id. Confluent's deserializer finds its reader by hashing
    // the whole writer schema on every record, which showed in the enricher's profile; the id is enough.
    // A failed lookup is not kept: the next record asks the registry again.
    private async Task<object> ReaderAsync<T>(int schemaId)
        where T : ISpecificRecord, new()
    {
        var key = (typeof(T), schemaId);
        var lookup = _readers.GetOrAdd(key, _ => new Lazy<Task<object>>(async () =>
        {
            var writer = _registered.TryGetValue(schemaId, out var own)
                ? own
                : global::Avro.Schema.Parse((await registry.GetSchemaAsync(schemaId).ConfigureAwait(false)).SchemaString);
            return new SpecificDatumReader<T>(writer, new T().Schema);
        }));
        try
        {
            return await lookup.Value.ConfigureAwait(false);
        }
        catch
        {
            _readers.TryRemove(KeyValuePair.Create(key, lookup));
            throw;
        }
    }

    /// <summary>Reads a value whose record type is known only at run time (a loop over several topics).</summary>
    public Task<ISpecificRecord> DeserializeAsync(Type recordType, byte[]? data, string topic) =>
        _untyped.GetOrAdd(recordType, type => (Func<AvroSerdes, byte[]?, string, Task<ISpecificRecord>>)Delegate.CreateDelegate(
            typeof(Func<AvroSerdes, byte[]?, string, Task<ISpecificRecord>>),
            typeof(AvroSerdes).GetMethod(nameof(DeserializeBoxedAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type)))(this, data, topic);

    private static async Task<ISpecificRecord> DeserializeBoxedAsync<T>(AvroSerdes serdes, byte[]? data, string topic)
        where T : ISpecificRecord, new() =>
        await serdes.DeserializeAsync<T>(data, topic).ConfigureAwait(false);

    // Registered (or looked up) once per record type and topic, under the topic-name strategy's subject,
    // as Confluent's serializer does. A failure is not kept: the next record asks the registry again.
    private async Task<int> SchemaIdAsync(ISpecificRecord value, string topic)
    {
        var key = (value.GetType(), topic);
        var lookup = _schemaIds.GetOrAdd(key, _ => new Lazy<Task<int>>(async () =>
        {
            var id = await RegisterAsync(value, topic).ConfigureAwait(false);
            _registered.TryAdd(id, value.Schema);
            return id;
        }));
        try
        {
            return await lookup.Value.ConfigureAwait(false);
        }
        catch
        {
            _schemaIds.TryRemove(KeyValuePair.Create(key, lookup));
            throw;
        }
    }

    private Task<int> RegisterAsync(ISpecificRecord value, string topic)
    {
        // Confluent's default subject name strategy (TopicNameStrategy): <topic>-value.
        var subject = $"{topic}-value";
        var schema = new Schema(value.Schema.ToString(), SchemaType.Avro);
        return options.Value.AutoRegisterSchemas
            ? registry.RegisterSchemaAsync(subject, schema)
            : registry.GetSchemaIdAsync(subject, schema);
    }
}
