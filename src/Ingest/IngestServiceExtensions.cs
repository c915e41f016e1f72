using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Ingest.Idempotency;
using Streaming.Ingest.Requests;
using Streaming.Ingest.Shops;
using Streaming.Ingest.Storefront;
using Streaming.Ingest.Webhooks;
using Streaming.Records;
using Streaming.ServiceDefaults;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Ingest;

public static class IngestServiceExtensions
{
    /// <summary>Registers the webhook and storefront receivers, the topics they write, and the limits every request meets.</summary>
    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        builder.AddPipelinePlatform()
            .AddShops<IngestShop>()
            .AddTopic(ShopifyWebhook.KafkaTopic)
            .AddTopic(StorefrontEvent.KafkaTopic);
        var services = builder.Services;
        builder.AddValidatedOptions<IngestOptions>(IngestOptions.Section);
        builder.AddValidatedOptions<StorefrontOptions>(StorefrontOptions.Section);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<IngestOptions>>((kestrel, ingest) => Limit(kestrel.Limits, ingest.Value));

        services.AddSingleton(sp =>
        {
            var budget = ActivatorUtilities.CreateInstance<InFlightBudget>(sp);
            sp.GetRequiredService<PipelineTelemetry>().Observe(
                "pipeline.ingest.bytes_in_flight", "By", "Request body bytes held before verification (Ingest:MaxBytesInFlight).", () => budget.Used);
            return budget;
        });
        services.AddSingleton<BodyReader>();
        services.AddSingleton<KafkaWriter>();
        services.AddSingleton<WebhookPartitions>();
        services.AddSingleton<DeliveryDeduplicator>();
        services.AddSingleton<ShopifyWebhookReceiver>();
        services.AddSingleton<StorefrontOrigins>();
        services.AddSingleton<ClientRateLimiter>();
        services.AddSingleton<CollectReceiver>();
        services.AddSingleton<PixelScript>();
        services.AddProblemDetails();
        return builder;
    }

    // Before anyone is verified, nobody may hold much: a slow or stalled sender meets these limits.
    private static void Limit(KestrelServerLimits limits, IngestOptions ingest)
    {
        limits.MaxConcurrentConnections = ingest.MaxConcurrentConnections;
        limits.MaxConcurrentUpgradedConnections = 0;
        limits.RequestHeadersTimeout = ingest.BodyTimeout;
        // Kestrel buffers at most this much of a body the handler has not read yet, per connection.
        limits.MaxRequestBufferSize = 64 * 1024;
    }
}
