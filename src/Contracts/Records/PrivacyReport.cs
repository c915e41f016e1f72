using Avro;
using Avro.Specific;
using Streaming.Contracts;

namespace Streaming.Records;

/// <summary>One part of the pipeline's answer to a Shopify compliance request (schemas/privacy_report.avsc).</summary>
public sealed class PrivacyReport : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.Record("Streaming.Records.PrivacyReport");

    /// <summary>
    /// Answers to compliance requests, keyed by shop and request so that the parts of one answer are
    /// read together. Kept a year: it is the merchant's record of what was asked and done, and it holds
    /// kinds and dates, never the personal data itself.
    /// </summary>
    public static readonly TopicDeclaration KafkaTopic = new(
        "PrivacyReports", "pipeline.privacy", DefaultPartitions: 3, DefaultRetentionMs: 365L * 24 * 3600 * 1000);

    public const string Reported = "reported";
    public const string Erased = "erased";

    public string ShopDomain { get; set; } = "";
    public string Request { get; set; } = "";
    public string RequestId { get; set; } = "";
    public string? CustomerId { get; set; }
    public string? DataRequestId { get; set; }
    public string Action { get; set; } = "";
    public int Part { get; set; }
    public int Parts { get; set; }
    public IList<PrivacyHolding> Holdings { get; set; } = [];
    public DateTime ReportedAt { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => ShopDomain,
        1 => Request,
        2 => RequestId,
        3 => CustomerId,
        4 => DataRequestId,
        5 => Action,
        6 => Part,
        7 => Parts,
        8 => Holdings,
        9 => ReportedAt,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: ShopDomain = (string)fieldValue; break;
            case 1: Request = (string)fieldValue; break;
            case 2: RequestId = (string)fieldValue; break;
            case 3: CustomerId = (string?)fieldValue; break;
            case 4: DataRequestId = (string?)fieldValue; break;
            case 5: Action = (string)fieldValue; break;
            case 6: Part = (int)fieldValue; break;
            case 7: Parts = (int)fieldValue; break;
            case 8: Holdings = (IList<PrivacyHolding>)fieldValue; break;
            case 9: ReportedAt = (DateTime)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}

/// <summary>What one store holds, or held, for a compliance request: kinds and dates, never values.</summary>
public sealed class PrivacyHolding : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.NestedRecord(PrivacyReport.AvroSchema, "holdings");

    public string Store { get; set; } = "";
    public int Entries { get; set; }
    public IList<string> Kinds { get; set; } = [];
    public DateTime? FirstAt { get; set; }
    public DateTime? LastAt { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => Store,
        1 => Entries,
        2 => Kinds,
        3 => FirstAt,
        4 => LastAt,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: Store = (string)fieldValue; break;
            case 1: Entries = (int)fieldValue; break;
            case 2: Kinds = (IList<string>)fieldValue; break;
            case 3: FirstAt = (DateTime?)fieldValue; break;
            case 4: LastAt = (DateTime?)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
