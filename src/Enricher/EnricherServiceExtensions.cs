using Streaming.Platform.Hosting;
using Streaming.Records;

namespace Streaming.Enricher;

public static class EnricherServiceExtensions
{
    /// <summary>Registers the consumer that turns Shopify webhooks into Pinterest events.</summary>
    public static IHostApplicationBuilder AddEnricher(this IHostApplicationBuilder builder) =>
        builder
            .AddPipelinePlatform()
            .AddTopic(PinterestEvent.KafkaTopic)
            .AddConsumerLoop<ShopifyWebhook, WebhookBatchHandler, EnricherOptions>("enricher", EnricherOptions.Section, ShopifyWebhook.KafkaTopic);
}
