using System.Diagnostics;
using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Dispatcher.Pinterest;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// Sends a request's events to Pinterest, within the bound on requests in flight across every ad account
/// (a fair share for each, a bound for the process), in a span that continues the events' traces, and
/// counts the answer.
/// </summary>
public sealed class PinterestSender(
    PinterestClient client, PipelineTelemetry telemetry, IOptions<DispatcherOptions> options, IOptions<PinterestOptions> pinterest, TimeProvider clock) : IDisposable
{
    public const string SpanName = "pinterest.events send";

    private readonly SemaphoreSlim _concurrency = new(options.Value.MaxConcurrentRequests, options.Value.MaxConcurrentRequests);
    private readonly Uri _baseUrl = new(pinterest.Value.BaseUrl);

    /// <summary>Sends and sorts the answer. Each event counts one more attempt.</summary>
    public async Task<PinterestAnswer> SendAsync(DispatcherShop shop, IReadOnlyList<PendingEvent> events, bool withMarket, CancellationToken cancellationToken)
    {
        var request = ConversionRequest.For(shop, events.Select(e => e.Event).ToList(), _baseUrl, withMarket);
        await _concurrency.WaitAsync(cancellationToken);
        try
        {
            using var span = StartSpan(request, shop, events);
            var response = await client.SendAsync(request, cancellationToken);
            var answer = PinterestAnswer.Read(response, clock.GetUtcNow());
            foreach (var (name, value) in StatusTags(answer))
            {
                span?.SetTag(name, value);
            }

            span?.SetTag("pinterest.answer", answer.Kind.ToString());
            if (answer.Kind != AnswerKind.PerEvent)
            {
                span?.SetStatus(ActivityStatusCode.Error, answer.Message);
            }

            foreach (var e in events)
            {
                e.Attempts++;
            }

            var tags = new TagList { { "outcome", answer.Kind.ToString() }, { "shop", request.Shop } };
            foreach (var tag in StatusTags(answer))
            {
                tags.Add(tag);
            }

            telemetry.PinterestRequests.Add(1, tags);
            return answer;
        }
        finally
        {
            _concurrency.Release();
        }
    }

    /// <summary>
    /// The HTTP status where Pinterest answered; where it did not (a timeout, a refused connection, an open
    /// circuit), OpenTelemetry's <c>error.type</c> instead of a status code 0 that no dashboard can read.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, object?>> StatusTags(PinterestAnswer answer) => answer switch
    {
        { StatusCode: > 0 } => [new("http.response.status_code", answer.StatusCode)],
        { Kind: AnswerKind.DryRun } => [],
        _ => [new("error.type", "no_answer")],
    };

    /// <summary>
    /// A request carries events of many traces: its span is a child of the first event's, linked to each
    /// other one (once each), so every webhook's trace reaches the call that carried its event.
    /// </summary>
    private static Activity? StartSpan(ConversionRequest request, DispatcherShop shop, IReadOnlyList<PendingEvent> events)
    {
        if (!PipelineTelemetry.ActivitySource.HasListeners())
        {
            // Nobody records spans: reading every event's trace context for the links would be wasted.
            return null;
        }

        var parent = events[0].TraceContext;
        var links = events.Skip(1)
            .Select(e => e.TraceContext)
            .Where(c => c != default && c != parent)
            .Distinct()
            .Select(c => new ActivityLink(c))
            .ToList();
        var span = PipelineTelemetry.ActivitySource.StartActivity(SpanName, ActivityKind.Internal, parent, links: links);
        span?.SetTag("shop", request.Shop);
        span?.SetTag("pinterest.ad_account_id", shop.Pinterest.AdAccountId);
        span?.SetTag("pinterest.events.count", events.Count);
        return span;
    }

    public void Dispose() => _concurrency.Dispose();
}
