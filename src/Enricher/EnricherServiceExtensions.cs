using Microsoft.Extensions.Options;
using Streaming.Enricher.Orders;
using Streaming.Platform.Hosting;
using Streaming.Platform.Kafka;
using Streaming.Records;

namespace Streaming.Enricher;

public static class EnricherServiceExtensions
{
    /// <summary>Registers the consumer that turns Shopify webhooks into Pinterest events.</summary>
    public static IHostApplicationBuilder AddEnricher(this IHostApplicationBuilder builder)
    {
        builder.AddPipelinePlatform();
        builder.Services.AddOptions<EnricherOptions>()
            .Bind(builder.Configuration.GetSection(EnricherOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddConsumerLoop<ShopifyWebhook, WebhookBatchHandler>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EnricherOptions>>().Value;
            var kafka = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            return new ConsumerLoopSettings(
                "enricher", kafka.Topics.ShopifyWebhooks.Name, options.GroupId, options.MaxBatchSize, options.MaxBatchWait, options.MaxRetryBackoff);
        });
        return builder;
    }
}
