using Avro;
using Avro.Specific;
using Streaming.Contracts;

namespace Streaming.Records;

/// <summary>A verified Shopify webhook delivery, as written by Ingest (schemas/shopify_webhook.avsc).</summary>
public sealed class ShopifyWebhook : ISpecificRecord
{
    public static readonly RecordSchema AvroSchema = SchemaCatalog.Record("Streaming.Records.ShopifyWebhook");

    /// <summary>
    /// Verified webhook deliveries, written by Ingest, keyed by shop and cart token so that a cart's
    /// webhooks meet its storefront events on one partition number.
    /// </summary>
    public static readonly TopicDeclaration KafkaTopic = new(
        "ShopifyWebhooks", "shopify.webhooks", DefaultRetentionMs: 7L * 24 * 3600 * 1000, CoPartitionGroup: TopicDeclaration.CartGroup);

    public string WebhookId { get; set; } = "";
    public string Topic { get; set; } = "";
    public string ShopDomain { get; set; } = "";
    public string? ApiVersion { get; set; }
    public string? EventId { get; set; }
    public string? TriggeredAt { get; set; }
    public DateTime ReceivedAt { get; set; }
    public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();
    public byte[] Body { get; set; } = [];
    public string? BackfillRun { get; set; }

    public Schema Schema => AvroSchema;

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => WebhookId,
        1 => Topic,
        2 => ShopDomain,
        3 => ApiVersion,
        4 => EventId,
        5 => TriggeredAt,
        6 => ReceivedAt,
        7 => Headers,
        8 => Body,
        9 => BackfillRun,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0: WebhookId = (string)fieldValue; break;
            case 1: Topic = (string)fieldValue; break;
            case 2: ShopDomain = (string)fieldValue; break;
            case 3: ApiVersion = (string?)fieldValue; break;
            case 4: EventId = (string?)fieldValue; break;
            case 5: TriggeredAt = (string?)fieldValue; break;
            case 6: ReceivedAt = (DateTime)fieldValue; break;
            case 7: Headers = (IDictionary<string, string>)fieldValue; break;
            case 8: Body = (byte[])fieldValue; break;
            case 9: BackfillRun = (string?)fieldValue; break;
            default: throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
