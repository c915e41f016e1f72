using Microsoft.Extensions.Options;
using Streaming.Kafka.Topics;
using Streaming.Operator.Access;
using Streaming.Operator.Counting;
using Streaming.Operator.Pages;
using Streaming.Operator.Reading;
using Streaming.Records;

namespace Streaming.Operator;

/// <summary>Every route the operator view serves, each behind the operator token.</summary>
public static class OperatorApi
{
    public const string Prefix = "/operator";

    /// <summary>
    /// <c>GET /operator</c> (every shop), <c>GET /operator/shops/{shop}</c> (one shop), both with
    /// <c>?window=1h|24h|7d</c>. Its gauges are scraped where every deployable's metrics are: <c>/metrics</c>
    /// with <c>Telemetry:PrometheusMetrics</c> (see <c>MapHealthEndpoints</c>).
    /// </summary>
    public static IEndpointRouteBuilder MapOperator(this IEndpointRouteBuilder endpoints)
    {
        var pages = endpoints.MapGroup(Prefix)
            .AddEndpointFilter<OperatorAccess>()
            .AddEndpointFilter((context, next) =>
            {
                Protect(context.HttpContext.Response.Headers);
                return next(context);
            });
        pages.MapGet("", Overview);
        pages.MapGet("/shops/{shop}", Shop);

        return endpoints;
    }

    private static IResult Overview(HttpContext http, string? window, OperatorView view, Rebuild rebuild, IOptions<TopicsOptions> topics, TimeProvider clock)
    {
        if (Bad(window, out var span) is { } refusal)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        return Page(http, OverviewPage.Render(view.AllFigures(span, now), view.Unattributed, span, now, Context(http, rebuild, topics)));
    }

    private static IResult Shop(HttpContext http, string shop, string? window, OperatorView view, Rebuild rebuild, IOptions<TopicsOptions> topics, TimeProvider clock)
    {
        if (Bad(window, out var span) is { } refusal)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        if (!view.TryFigures(shop, span, now, out var figures) || view.Hours(shop, now) is not { } hours)
        {
            return Results.Text($"No shop '{shop}' is configured; the configured shops are: {string.Join(", ", view.Shops)}.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }

        return Page(http, ShopPage.Render(figures, hours, Context(http, rebuild, topics)));
    }

    private static IResult? Bad(string? window, out Window span)
    {
        span = Window.Day;
        return window is null || Window.TryParse(window, out span)
            ? null
            : Results.Text($"window must be one of {string.Join(", ", Window.All.Select(w => w.Name))}, not '{window}'.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
    }

    private static PageContext Context(HttpContext http, Rebuild rebuild, IOptions<TopicsOptions> topics)
    {
        var t = topics.Value;
        return new PageContext(
            http.Request.PathBase,
            rebuild.Done,
            rebuild.Describe(),
            $"Built from {t[PinterestDelivery.KafkaTopic].Name}, {t[EnrichmentOutcome.KafkaTopic].Name} and {t[DeadLetter.KafkaTopic].Name}: the last 7 days, read at start, then live. {rebuild.Describe()}");
    }

    private static IResult Page(HttpContext http, string html) => Results.Content(html, "text/html; charset=utf-8");

    // Every answer past the token, a 404 or 400 too: per-order data and shop names are never cached on the
    // way, pages never framed, no script run at all.
    private static void Protect(IHeaderDictionary headers)
    {
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }
}
