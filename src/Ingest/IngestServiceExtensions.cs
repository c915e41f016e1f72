using Streaming.Ingest.Webhooks;
using Streaming.Platform.Hosting;

namespace Streaming.Ingest;

public static class IngestServiceExtensions
{
    /// <summary>Registers the webhook receiver and what it needs.</summary>
    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        builder.AddPipelinePlatform();
        builder.Services.AddOptions<IngestOptions>()
            .Bind(builder.Configuration.GetSection(IngestOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ShopifyWebhookReceiver>();
        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>POST /webhooks/shopify, GET /healthz and GET /readyz.</summary>
    public static IEndpointRouteBuilder MapIngest(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/webhooks/shopify", (HttpRequest request, ShopifyWebhookReceiver receiver, CancellationToken cancellationToken) =>
            receiver.ReceiveAsync(request, cancellationToken));
        endpoints.MapHealthEndpoints();
        return endpoints;
    }
}
