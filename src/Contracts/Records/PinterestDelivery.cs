using Avro;
using Avro.Specific;
using Streaming.Contracts;

namespace Streaming.Records;

/// <summary>What became of one event the dispatcher read (schemas/pinterest_delivery.avsc).</summary>
public sealed class PinterestDelivery : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.Record("Streaming.Records.PinterestDelivery");

    /// <summary>The delivery log, keyed by shop and event id; kept a month for reports and audits.</summary>
    public static readonly TopicDeclaration KafkaTopic = new("PinterestDeliveries", "pinterest.deliveries", DefaultRetentionMs: 30L * 24 * 3600 * 1000);

    public string EventId { get; set; } = "";
    public string ShopDomain { get; set; } = "";
    public string AdAccountId { get; set; } = "";
    public string EventName { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Message { get; set; }
    public int Attempts { get; set; }
    public long LatencyMs { get; set; }
    public IList<string> MatchKeys { get; set; } = [];
    public bool TestMode { get; set; }
    public DateTime AnsweredAt { get; set; }
    public string? Replay { get; set; }
    public long EventTime { get; set; }
    public string? DeadLetterReason { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => EventId,
        1 => ShopDomain,
        2 => AdAccountId,
        3 => EventName,
        4 => Status,
        5 => Message,
        6 => Attempts,
        7 => LatencyMs,
        8 => MatchKeys,
        9 => TestMode,
        10 => AnsweredAt,
        11 => Replay,
        12 => EventTime,
        13 => DeadLetterReason,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: EventId = (string)fieldValue; break;
            case 1: ShopDomain = (string)fieldValue; break;
            case 2: AdAccountId = (string)fieldValue; break;
            case 3: EventName = (string)fieldValue; break;
            case 4: Status = (string)fieldValue; break;
            case 5: Message = (string?)fieldValue; break;
            case 6: Attempts = (int)fieldValue; break;
            case 7: LatencyMs = (long)fieldValue; break;
            case 8: MatchKeys = (IList<string>)fieldValue; break;
            case 9: TestMode = (bool)fieldValue; break;
            case 10: AnsweredAt = (DateTime)fieldValue; break;
            case 11: Replay = (string?)fieldValue; break;
            case 12: EventTime = (long)fieldValue; break;
            case 13: DeadLetterReason = (string?)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
