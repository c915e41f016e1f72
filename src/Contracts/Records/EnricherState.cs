using Avro;
using Avro.Specific;
using Streaming.Contracts;

namespace Streaming.Records;

/// <summary>An entry of the enricher's state store and changelog (schemas/enricher_state.avsc).</summary>
public sealed class EnricherState : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.Record("Streaming.Records.EnricherState");

    /// <summary>
    /// The changelog of the enricher's store: compacted, one partition per input partition number, so a
    /// partition's state restores from the partition of the same number. Kafka Streams' naming.
    /// </summary>
    public static readonly TopicDeclaration KafkaTopic = new(
        "EnricherState", "pipeline-enricher-state-changelog", Compacted: true, CoPartitionGroup: TopicDeclaration.CartGroup);

    public long UpdatedAt { get; set; }
    public Session? Session { get; set; }
    public IList<CartLine>? CartLines { get; set; }
    public IList<string> SentOrders { get; set; } = [];
    public string? CartToken { get; set; }
    public WaitingWebhook? Waiting { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => UpdatedAt,
        1 => Session,
        2 => CartLines,
        3 => SentOrders,
        4 => CartToken,
        5 => Waiting,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: UpdatedAt = (long)fieldValue; break;
            case 1: Session = (Session?)fieldValue; break;
            case 2: CartLines = (IList<CartLine>?)fieldValue; break;
            case 3: SentOrders = (IList<string>)fieldValue; break;
            case 4: CartToken = (string?)fieldValue; break;
            case 5: Waiting = (WaitingWebhook?)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}

/// <summary>What the storefront pixel saw of a shopper's visit.</summary>
public sealed class Session : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.NestedRecord(EnricherState.AvroSchema, "session");

    public string? ClickId { get; set; }
    public string? ClientIp { get; set; }
    public string? UserAgent { get; set; }
    public long FirstSeen { get; set; }
    public long LastSeen { get; set; }
    public string? LandingUrl { get; set; }
    public string? MarketId { get; set; }
    public string? MarketHandle { get; set; }
    public bool MarketingAllowed { get; set; }
    public bool SaleOfDataAllowed { get; set; }
    public IList<PixelEventId> PixelEventIds { get; set; } = [];

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => ClickId,
        1 => ClientIp,
        2 => UserAgent,
        3 => FirstSeen,
        4 => LastSeen,
        5 => LandingUrl,
        6 => MarketId,
        7 => MarketHandle,
        8 => MarketingAllowed,
        9 => SaleOfDataAllowed,
        10 => PixelEventIds,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: ClickId = (string?)fieldValue; break;
            case 1: ClientIp = (string?)fieldValue; break;
            case 2: UserAgent = (string?)fieldValue; break;
            case 3: FirstSeen = (long)fieldValue; break;
            case 4: LastSeen = (long)fieldValue; break;
            case 5: LandingUrl = (string?)fieldValue; break;
            case 6: MarketId = (string?)fieldValue; break;
            case 7: MarketHandle = (string?)fieldValue; break;
            case 8: MarketingAllowed = (bool)fieldValue; break;
            case 9: SaleOfDataAllowed = (bool)fieldValue; break;
            case 10: PixelEventIds = (IList<PixelEventId>)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}

/// <summary>The event_id the pixel gave the Pinterest Tag for one browser event.</summary>
public sealed class PixelEventId : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.NestedRecord(Session.AvroSchema, "pixel_event_ids");

    public string EventName { get; set; } = "";
    public string Subject { get; set; } = "";
    public string EventId { get; set; } = "";

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => EventName,
        1 => Subject,
        2 => EventId,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: EventName = (string)fieldValue; break;
            case 1: Subject = (string)fieldValue; break;
            case 2: EventId = (string)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}

/// <summary>One line of a cart: a variant and its quantity.</summary>
public sealed class CartLine : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.NestedRecord(EnricherState.AvroSchema, "cart_lines");

    public string VariantId { get; set; } = "";
    public long Quantity { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => VariantId,
        1 => Quantity,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: VariantId = (string)fieldValue; break;
            case 1: Quantity = (long)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}

/// <summary>A server event waiting for its session, as the webhook came.</summary>
public sealed class WaitingWebhook : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.NestedRecord(EnricherState.AvroSchema, "waiting");

    public string PartitionKey { get; set; } = "";
    public string WebhookId { get; set; } = "";
    public string Topic { get; set; } = "";
    public string ShopDomain { get; set; } = "";
    public long ReceivedAt { get; set; }
    public byte[] Body { get; set; } = [];
    public IList<CartLine> CartLinesBefore { get; set; } = [];
    public long DueEventTime { get; set; }
    public long DueWallTime { get; set; }
    public byte[]? CheckoutEvent { get; set; }
    public string? CheckoutToken { get; set; }
    public string? Traceparent { get; set; }
    public string? Tracestate { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => PartitionKey,
        1 => WebhookId,
        2 => Topic,
        3 => ShopDomain,
        4 => ReceivedAt,
        5 => Body,
        6 => CartLinesBefore,
        7 => DueEventTime,
        8 => DueWallTime,
        9 => CheckoutEvent,
        10 => CheckoutToken,
        11 => Traceparent,
        12 => Tracestate,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: PartitionKey = (string)fieldValue; break;
            case 1: WebhookId = (string)fieldValue; break;
            case 2: Topic = (string)fieldValue; break;
            case 3: ShopDomain = (string)fieldValue; break;
            case 4: ReceivedAt = (long)fieldValue; break;
            case 5: Body = (byte[])fieldValue; break;
            case 6: CartLinesBefore = (IList<CartLine>)fieldValue; break;
            case 7: DueEventTime = (long)fieldValue; break;
            case 8: DueWallTime = (long)fieldValue; break;
            case 9: CheckoutEvent = (byte[]?)fieldValue; break;
            case 10: CheckoutToken = (string?)fieldValue; break;
            case 11: Traceparent = (string?)fieldValue; break;
            case 12: Tracestate = (string?)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
