using Avro;
using Avro.Specific;
using Streaming.Contracts;

namespace Streaming.Records;

/// <summary>A conversion event ready for the Pinterest Conversions API (schemas/pinterest_event.avsc).</summary>
public sealed class PinterestEvent : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.Record("Streaming.Records.PinterestEvent");

    /// <summary>Events ready for Pinterest, written by the Enricher, keyed by shop and event id.</summary>
    public static readonly TopicDeclaration KafkaTopic = new(
        "PinterestEvents", "pinterest.events", DefaultRetentionMs: 7L * 24 * 3600 * 1000, CoPartitionGroup: TopicDeclaration.EventGroup);

    public string ShopDomain { get; set; } = "";
    public string EventName { get; set; } = "";
    public string ActionSource { get; set; } = "";
    public long EventTime { get; set; }
    public string EventId { get; set; } = "";
    public PinterestUserData UserData { get; set; } = new();
    public PinterestCustomData CustomData { get; set; } = new();
    public string? SourceWebhookId { get; set; }
    public string? EventSourceUrl { get; set; }
    public bool? OptOut { get; set; }
    public string MarketId { get; set; } = "0";
    public string MarketHandle { get; set; } = "unassigned_market";
    public bool Resend { get; set; }
    public string? Replay { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => ShopDomain,
        1 => EventName,
        2 => ActionSource,
        3 => EventTime,
        4 => EventId,
        5 => UserData,
        6 => CustomData,
        7 => SourceWebhookId,
        8 => EventSourceUrl,
        9 => OptOut,
        10 => MarketId,
        11 => MarketHandle,
        12 => Resend,
        13 => Replay,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: ShopDomain = (string)fieldValue; break;
            case 1: EventName = (string)fieldValue; break;
            case 2: ActionSource = (string)fieldValue; break;
            case 3: EventTime = (long)fieldValue; break;
            case 4: EventId = (string)fieldValue; break;
            case 5: UserData = (PinterestUserData)fieldValue; break;
            case 6: CustomData = (PinterestCustomData)fieldValue; break;
            case 7: SourceWebhookId = (string?)fieldValue; break;
            case 8: EventSourceUrl = (string?)fieldValue; break;
            case 9: OptOut = (bool?)fieldValue; break;
            case 10: MarketId = (string)fieldValue; break;
            case 11: MarketHandle = (string)fieldValue; break;
            case 12: Resend = (bool)fieldValue; break;
            case 13: Replay = (string?)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}

/// <summary>Pinterest <c>user_data</c>: hashed customer identifiers.</summary>
public sealed class PinterestUserData : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.NestedRecord(PinterestEvent.AvroSchema, "user_data");

    public IList<string> Em { get; set; } = [];
    public IList<string> Ph { get; set; } = [];
    public IList<string> Fn { get; set; } = [];
    public IList<string> Ln { get; set; } = [];
    public IList<string> Ct { get; set; } = [];
    public IList<string> St { get; set; } = [];
    public IList<string> Zp { get; set; } = [];
    public IList<string> Country { get; set; } = [];
    public IList<string> ExternalId { get; set; } = [];
    public string? ClientIpAddress { get; set; }
    public string? ClientUserAgent { get; set; }
    public string? ClickId { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => Em,
        1 => Ph,
        2 => Fn,
        3 => Ln,
        4 => Ct,
        5 => St,
        6 => Zp,
        7 => Country,
        8 => ExternalId,
        9 => ClientIpAddress,
        10 => ClientUserAgent,
        11 => ClickId,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: Em = (IList<string>)fieldValue; break;
            case 1: Ph = (IList<string>)fieldValue; break;
            case 2: Fn = (IList<string>)fieldValue; break;
            case 3: Ln = (IList<string>)fieldValue; break;
            case 4: Ct = (IList<string>)fieldValue; break;
            case 5: St = (IList<string>)fieldValue; break;
            case 6: Zp = (IList<string>)fieldValue; break;
            case 7: Country = (IList<string>)fieldValue; break;
            case 8: ExternalId = (IList<string>)fieldValue; break;
            case 9: ClientIpAddress = (string?)fieldValue; break;
            case 10: ClientUserAgent = (string?)fieldValue; break;
            case 11: ClickId = (string?)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}

/// <summary>Pinterest <c>custom_data</c>: what was bought and for how much.</summary>
public sealed class PinterestCustomData : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.NestedRecord(PinterestEvent.AvroSchema, "custom_data");

    public string? Currency { get; set; }
    public string? Value { get; set; }
    public string? OrderId { get; set; }
    public IList<string> ContentIds { get; set; } = [];
    public long? NumItems { get; set; }
    public IList<PinterestContent> Contents { get; set; } = [];
    public string? SearchString { get; set; }
    public string? OptOutType { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => Currency,
        1 => Value,
        2 => OrderId,
        3 => ContentIds,
        4 => NumItems,
        5 => Contents,
        6 => SearchString,
        7 => OptOutType,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: Currency = (string?)fieldValue; break;
            case 1: Value = (string?)fieldValue; break;
            case 2: OrderId = (string?)fieldValue; break;
            case 3: ContentIds = (IList<string>)fieldValue; break;
            case 4: NumItems = (long?)fieldValue; break;
            case 5: Contents = (IList<PinterestContent>)fieldValue; break;
            case 6: SearchString = (string?)fieldValue; break;
            case 7: OptOutType = (string?)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}

/// <summary>One item of Pinterest's <c>contents</c>.</summary>
public sealed class PinterestContent : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.NestedRecord(PinterestCustomData.AvroSchema, "contents");

    public string Id { get; set; } = "";
    public string? ItemPrice { get; set; }
    public long? Quantity { get; set; }
    public string? ItemName { get; set; }
    public string? ItemBrand { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => Id,
        1 => ItemPrice,
        2 => Quantity,
        3 => ItemName,
        4 => ItemBrand,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: Id = (string)fieldValue; break;
            case 1: ItemPrice = (string?)fieldValue; break;
            case 2: Quantity = (long?)fieldValue; break;
            case 3: ItemName = (string?)fieldValue; break;
            case 4: ItemBrand = (string?)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
