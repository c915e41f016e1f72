using Microsoft.Extensions.DependencyInjection.Extensions;
using Streaming.Enricher.Output;
using Streaming.Enricher.Privacy;
using Streaming.Enricher.Processing;
using Streaming.ServiceDefaults;

namespace Streaming.Enricher;

public static class EnricherServiceExtensions
{
    /// <summary>
    /// Registers the consumer that joins a cart's webhooks and storefront events (co-partitioned by cart)
    /// in partition state, changelogged to its own compacted topic, and writes Pinterest events.
    /// </summary>
    public static IHostApplicationBuilder AddEnricher(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<IEnrichmentOutput, KafkaEnrichmentOutput>();
        builder.Services.TryAddSingleton<IDeadLetterEraser, DeadLetterRedactor>();
        return builder
            .AddPipelinePlatform()
            .AddShops<EnricherShop>()
            .AddTopic(PinterestEvent.KafkaTopic)
            .AddTopic(EnricherState.KafkaTopic)
            .AddTopic(EnrichmentOutcome.KafkaTopic)
            .AddTopic(PrivacyReport.KafkaTopic)
            .AddJoiningConsumerLoop<EnrichmentHandler, EnricherOptions>(
                "enricher",
                EnricherOptions.Section,
                (ShopifyWebhook.KafkaTopic, typeof(ShopifyWebhook)),
                (StorefrontEvent.KafkaTopic, typeof(StorefrontEvent)));
    }
}
