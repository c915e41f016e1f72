using Avro;
using Avro.Specific;
using Streaming.Contracts;

namespace Streaming.Records;

/// <summary>What the enricher made of one input that was, or would have been, a Pinterest event (schemas/enrichment_outcome.avsc).</summary>
public sealed class EnrichmentOutcome : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.Record("Streaming.Records.EnrichmentOutcome");

    /// <summary>
    /// The enricher's account of its inputs, keyed like the input: what the operator view counts as
    /// received and excluded. Kept a month, like the delivery log it is read beside.
    /// </summary>
    public static readonly TopicDeclaration KafkaTopic = new("EnrichmentOutcomes", "pipeline.enrichment-outcomes", DefaultRetentionMs: 30L * 24 * 3600 * 1000);

    public string ShopDomain { get; set; } = "";
    public string Input { get; set; } = "";
    public string? EventName { get; set; }
    public string? EventId { get; set; }
    public string Outcome { get; set; } = "";
    public string? Reason { get; set; }
    public bool SessionJoined { get; set; }
    public bool ClickId { get; set; }
    public DateTime OccurredAt { get; set; }
    public DateTime DecidedAt { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => ShopDomain,
        1 => Input,
        2 => EventName,
        3 => EventId,
        4 => Outcome,
        5 => Reason,
        6 => SessionJoined,
        7 => ClickId,
        8 => OccurredAt,
        9 => DecidedAt,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: ShopDomain = (string)fieldValue; break;
            case 1: Input = (string)fieldValue; break;
            case 2: EventName = (string?)fieldValue; break;
            case 3: EventId = (string?)fieldValue; break;
            case 4: Outcome = (string)fieldValue; break;
            case 5: Reason = (string?)fieldValue; break;
            case 6: SessionJoined = (bool)fieldValue; break;
            case 7: ClickId = (bool)fieldValue; break;
            case 8: OccurredAt = (DateTime)fieldValue; break;
            case 9: DecidedAt = (DateTime)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
