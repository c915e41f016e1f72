using Avro.Specific;
using Streaming.Enricher.Carts;
using Streaming.Enricher.Orders;
using Streaming.Enricher.Output;
using Streaming.Enricher.Privacy;
using Streaming.Enricher.Processing;
using Streaming.Kafka;
using Streaming.Kafka.Reading;

namespace Streaming.Enricher.Tasks;

/// <summary>
/// Hands each record to the processor of its input (webhooks by topic, storefront events); what cannot
/// be handled, a record of a shop not configured or one the mappers refuse, is dead-lettered at once.
/// Each record's work is logged within its scope: its shop and where it was read.
/// </summary>
public sealed class RecordRouter(
    ShopDirectory<EnricherShop> shops,
    OrderProcessor orders,
    CartProcessor carts,
    CheckoutProcessor checkouts,
    CustomerProcessor customers,
    StorefrontProcessor storefront,
    PrivacyProcessor privacy,
    DeadLetters deadLetters,
    ILogger logger)
{
    public async Task RouteAsync(ConsumedRecord<ISpecificRecord> record, long at, ProcessorContext context, CancellationToken cancellationToken)
    {
        var (topic, shopDomain, occurredAt) = record.Value switch
        {
            ShopifyWebhook w => (w.Topic, w.ShopDomain, w.ReceivedAt),
            StorefrontEvent e => (Outcomes.StorefrontInput(e.EventName), e.ShopDomain, e.OccurredAt),
            _ => ("unknown", "", default),
        };
        using var scope = RecordScope.Begin(logger, record.Raw, shopDomain);
        if (!shops.TryFind(shopDomain, out var shop))
        {
            await deadLetters.WriteAsync(
                record, Outcomes.DeadLettered(shopDomain, topic, RecordOutcomes.Reasons.UnknownShop, occurredAt), $"No shop '{shopDomain}' is configured.", cancellationToken);
            return;
        }

        try
        {
            var outcome = record.Value switch
            {
                ShopifyWebhook webhook => await ProcessorOf(webhook.Topic).ProcessAsync(webhook, shop, at, context),
                StorefrontEvent storefrontEvent => await storefront.ProcessAsync(storefrontEvent, shop, at, context),
                _ => throw new UnmappableWebhookException($"The enricher cannot read {record.Value.GetType().Name} records."),
            };
            context.Output.Counted(topic, outcome);
        }
        catch (Exception e) when (e is UnmappableWebhookException or JsonException)
        {
            // Whatever the record did to the mappers, it will do it again: never retry it.
            await deadLetters.WriteAsync(record, Outcomes.DeadLettered(shopDomain, topic, RecordOutcomes.Reasons.Unmappable, occurredAt), e.Message, cancellationToken);
        }
    }

    private IRecordProcessor<ShopifyWebhook> ProcessorOf(string topic) => topic switch
    {
        _ when OrderProcessor.Handles(topic) => orders,
        _ when CheckoutProcessor.Handles(topic) => checkouts,
        _ when CustomerProcessor.Handles(topic) => customers,
        _ when AddToCartMapper.IsCartTopic(topic) => carts,
        _ when PrivacyProcessor.Handles(topic) => privacy,
        _ => UnmappedTopic.Instance,
    };

    /// <summary>A webhook topic the enricher makes nothing of.</summary>
    private sealed class UnmappedTopic : IRecordProcessor<ShopifyWebhook>
    {
        public static readonly UnmappedTopic Instance = new();

        public Task<string> ProcessAsync(ShopifyWebhook record, EnricherShop shop, long at, ProcessorContext context) =>
            Task.FromResult(SkipReasons.TopicNotMapped);
    }
}
