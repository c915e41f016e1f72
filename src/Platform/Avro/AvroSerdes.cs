using System.Collections.Concurrent;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Microsoft.Extensions.Options;

namespace Streaming.Platform.Avro;

/// <summary>
/// Avro in the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary) for every record value.
/// One serializer and one deserializer per record type, shared by the whole process.
/// </summary>
public sealed class AvroSerdes(ISchemaRegistryClient registry, IOptions<SchemaRegistryOptions> options)
{
    private readonly ConcurrentDictionary<Type, object> _serializers = new();
    private readonly ConcurrentDictionary<Type, object> _deserializers = new();

    public Task<byte[]> SerializeAsync<T>(T value, string topic)
        where T : ISpecificRecord
    {
        var serializer = (AvroSerializer<T>)_serializers.GetOrAdd(typeof(T), _ => new AvroSerializer<T>(
            registry,
            new AvroSerializerConfig { AutoRegisterSchemas = options.Value.AutoRegisterSchemas }));
        return serializer.SerializeAsync(value, new SerializationContext(MessageComponentType.Value, topic));
    }

    public Task<T> DeserializeAsync<T>(byte[]? data, string topic)
        where T : ISpecificRecord
    {
        var deserializer = (AvroDeserializer<T>)_deserializers.GetOrAdd(typeof(T), _ => new AvroDeserializer<T>(registry));
        return deserializer.DeserializeAsync(data, data is null, new SerializationContext(MessageComponentType.Value, topic));
    }
}
