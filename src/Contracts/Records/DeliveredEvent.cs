using Avro;
using Avro.Specific;
using Streaming.Contracts;

namespace Streaming.Records;

/// <summary>An event id Pinterest accepted for an ad account (schemas/delivered_event.avsc).</summary>
public sealed class DeliveredEvent : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.Record("Streaming.Records.DeliveredEvent");

    /// <summary>
    /// The changelog of the dispatcher's delivered-id store: partition N holds the ids of events read from
    /// partition N of pinterest.events, so the store moves with the partition.
    /// </summary>
    public static readonly TopicDeclaration KafkaTopic = new(
        "DispatcherDelivered", "pipeline-dispatcher-delivered-changelog", Compacted: true, CoPartitionGroup: TopicDeclaration.EventGroup);

    public DateTime AcceptedAt { get; set; }
    public string ShopDomain { get; set; } = "";

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => AcceptedAt,
        1 => ShopDomain,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: AcceptedAt = (DateTime)fieldValue; break;
            case 1: ShopDomain = (string)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
