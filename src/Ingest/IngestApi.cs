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
        // The receivers are singletons, taken from the root provider on first use: a parameter bound from
        // the request's services would open a dependency-injection scope per request for nothing.
        var services = endpoints.ServiceProvider;
        ShopifyWebhookReceiver? webhooks = null;
        CollectReceiver? storefront = null;
        endpoints.MapPost("/webhooks/shopify", (HttpRequest request) => (webhooks ??= services.GetRequiredService<ShopifyWebhookReceiver>()).ReceiveAsync(request))
            .DisableAntiforgery();

        endpoints.MapPost("/collect", (Func<HttpContext, Task<IResult>>)(context => (storefront ??= services.GetRequiredService<CollectReceiver>()).ReceiveAsync(context)));
        endpoints.MapMethods("/collect", [HttpMethods.Options], (HttpContext context, CollectReceiver receiver) => receiver.Preflight(context));
        endpoints.MapGet("/pixel.js", (HttpContext context, PixelScript script) => script.Serve(context));

        endpoints.MapHealthEndpoints();
        return endpoints;
    }
}
