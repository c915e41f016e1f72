using Avro;
using Avro.IO;
using Avro.Specific;

namespace Streaming.Kafka.Avro;

/// <summary>
/// Avro's writer of generated records, with strings, longs, ints, booleans and bytes (every primitive the
/// schemas use) written straight to the encoder. The base class wraps each such value's encoder method in a new delegate, for every field of
/// every record; in the enricher's profile those delegates were about a twelfth of what a record
/// allocated. A value of the wrong type still goes to the base class, which refuses it as before.
/// </summary>
internal sealed class RecordWriter(Schema schema) : SpecificDefaultWriter(schema)
{
    public override void Write(Schema schema, object value, Encoder encoder)
    {
        switch (schema.Tag)
        {
            case Schema.Type.String when value is string text:
                encoder.WriteString(text);
                break;
            case Schema.Type.Long when value is long number:
                encoder.WriteLong(number);
                break;
            case Schema.Type.Int when value is int number:
                encoder.WriteInt(number);
                break;
            case Schema.Type.Boolean when value is bool flag:
                encoder.WriteBoolean(flag);
                break;
            case Schema.Type.Bytes when value is byte[] bytes:
                encoder.WriteBytes(bytes);
                break;
            default:
                base.Write(schema, value, encoder);
                break;
        }
    }
}
