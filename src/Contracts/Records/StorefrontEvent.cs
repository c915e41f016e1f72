using Avro;
using Avro.Specific;
using Streaming.Contracts;

namespace Streaming.Records;

/// <summary>A storefront event from the pixel, as written by Ingest (schemas/storefront_event.avsc).</summary>
public sealed class StorefrontEvent : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.Record("Streaming.Records.StorefrontEvent");

    /// <summary>
    /// Storefront events, keyed like <see cref="ShopifyWebhook.KafkaTopic"/> by shop and cart token, with
    /// the same partition count, so that a cart's browser and server events reach the same enricher.
    /// </summary>
    public static readonly TopicDeclaration KafkaTopic = new(
        "StorefrontEvents", "storefront.events", DefaultRetentionMs: 7L * 24 * 3600 * 1000, CoPartitionGroup: TopicDeclaration.CartGroup);

    public string ShopDomain { get; set; } = "";
    public string EventId { get; set; } = "";
    public string EventName { get; set; } = "";
    public string ShopifyEventId { get; set; } = "";
    public string ClientId { get; set; } = "";
    public DateTime OccurredAt { get; set; }
    public string? ClickId { get; set; }
    public string? CartToken { get; set; }
    public string? CheckoutToken { get; set; }
    public StorefrontConsent Consent { get; set; } = new();
    public string? ClientIp { get; set; }
    public string? UserAgent { get; set; }
    public DateTime ReceivedAt { get; set; }
    public byte[] Event { get; set; } = [];

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => ShopDomain,
        1 => EventId,
        2 => EventName,
        3 => ShopifyEventId,
        4 => ClientId,
        5 => OccurredAt,
        6 => ClickId,
        7 => CartToken,
        8 => CheckoutToken,
        9 => Consent,
        10 => ClientIp,
        11 => UserAgent,
        12 => ReceivedAt,
        13 => Event,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: ShopDomain = (string)fieldValue; break;
            case 1: EventId = (string)fieldValue; break;
            case 2: EventName = (string)fieldValue; break;
            case 3: ShopifyEventId = (string)fieldValue; break;
            case 4: ClientId = (string)fieldValue; break;
            case 5: OccurredAt = (DateTime)fieldValue; break;
            case 6: ClickId = (string?)fieldValue; break;
            case 7: CartToken = (string?)fieldValue; break;
            case 8: CheckoutToken = (string?)fieldValue; break;
            case 9: Consent = (StorefrontConsent)fieldValue; break;
            case 10: ClientIp = (string?)fieldValue; break;
            case 11: UserAgent = (string?)fieldValue; break;
            case 12: ReceivedAt = (DateTime)fieldValue; break;
            case 13: Event = (byte[])fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}

/// <summary>The visitor's consent flags, as Shopify's customerPrivacy API reported them to the pixel.</summary>
public sealed class StorefrontConsent : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.NestedRecord(StorefrontEvent.AvroSchema, "consent");

    public bool Analytics { get; set; }
    public bool Marketing { get; set; }
    public bool Preferences { get; set; }
    public bool SaleOfData { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => Analytics,
        1 => Marketing,
        2 => Preferences,
        3 => SaleOfData,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: Analytics = (bool)fieldValue; break;
            case 1: Marketing = (bool)fieldValue; break;
            case 2: Preferences = (bool)fieldValue; break;
            case 3: SaleOfData = (bool)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
