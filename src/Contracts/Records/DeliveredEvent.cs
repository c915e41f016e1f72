using Avro;
using Avro.Specific;
using Streaming.Contracts;

namespace Streaming.Records;

/// <summary>Event ids Pinterest accepted for an ad account: one id in the store, a request's ids on the changelog (schemas/delivered_event.avsc).</summary>
public sealed class DeliveredEvent : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.Record("Streaming.Records.DeliveredEvent");

    /// <summary>
    /// The changelog of the dispatcher's delivered-id store: partition N holds the ids of events read from
    /// partition N of pinterest.events, so the store moves with the partition. One record carries a
    /// request's ids, so it cannot be compacted by id: it is kept by time, a day longer than the dispatcher
    /// remembers an id (Dispatcher:DeliveredRetention, 8 days by default).
    /// </summary>
    public static readonly TopicDeclaration KafkaTopic = new(
        "DispatcherDelivered", "pipeline-dispatcher-delivered-changelog", DefaultRetentionMs: DefaultRetention, CoPartitionGroup: TopicDeclaration.EventGroup);

    /// <summary>9 days: Dispatcher:DeliveredRetention's default and a day to spare.</summary>
    public const long DefaultRetention = 9L * 24 * 3600 * 1000;

    public DateTime AcceptedAt { get; set; }
    public string ShopDomain { get; set; } = "";
    public IList<string> EventIds { get; set; } = [];

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => AcceptedAt,
        1 => ShopDomain,
        2 => EventIds,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: AcceptedAt = (DateTime)fieldValue; break;
            case 1: ShopDomain = (string)fieldValue; break;
            case 2: EventIds = (IList<string>)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
