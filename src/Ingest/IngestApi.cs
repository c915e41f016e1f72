using Streaming.Ingest.Storefront;
using Streaming.Ingest.Webhooks;
using Streaming.ServiceDefaults;

namespace Streaming.Ingest;

/// <summary>Every route Ingest serves, in one place.</summary>
public static class IngestApi
{
    /// <summary>
    /// <c>POST /webhooks/shopify</c> (Shopify, HMAC-verified), <c>POST /collect</c> and its preflight
    /// (the storefront pixel), <c>GET /pixel.js</c> (the pixel itself), <c>GET /healthz</c> and <c>GET /readyz</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapIngest(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/webhooks/shopify", (HttpRequest request, ShopifyWebhookReceiver receiver) => receiver.ReceiveAsync(request))
            .DisableAntiforgery();

        endpoints.MapPost("/collect", (HttpContext context, CollectReceiver receiver) => receiver.ReceiveAsync(context));
        endpoints.MapMethods("/collect", [HttpMethods.Options], (HttpContext context, CollectReceiver receiver) => receiver.Preflight(context));
        endpoints.MapGet("/pixel.js", (HttpContext context, PixelScript script) => script.Serve(context));

        endpoints.MapHealthEndpoints();
        return endpoints;
    }
}
