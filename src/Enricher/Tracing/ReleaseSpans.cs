using System.Diagnostics;

namespace Streaming.Enricher.Tracing;

/// <summary>
/// The span of a waiting server event's release. It continues the trace the webhook came with, wherever
/// the release happens (a punctuation outside any span, the batch of the storefront event whose session
/// it waited for), and lasts until the event it let go is written, so the event's record carries it.
/// </summary>
public static class ReleaseSpans
{
    public const string Name = "enricher release";

    /// <summary>Why a waiting event goes, as the span's <c>enricher.release.cause</c> tag says.</summary>
    public static class Causes
    {
        public const string GracePeriodOver = "grace_period_over";
        public const string SessionArrived = "session_arrived";
        public const string InputEnded = "input_ended";
    }

    /// <param name="cause">One of <see cref="Causes"/>.</param>
    /// <param name="releasedBy">The trace of the record that released it (the storefront event that brought its session): linked.</param>
    /// <returns>The started span, the current one from here on; null when nobody listens.</returns>
    public static Activity? Start(WaitingWebhook waiting, string cause, ActivityContext releasedBy)
    {
        // An entry kept before traces were stored has none: the span then joins whatever is current.
        var parent = TraceContexts.Parse(waiting.Traceparent, waiting.Tracestate) ?? default;
        ActivityLink[]? links = releasedBy != default && releasedBy != parent ? [new ActivityLink(releasedBy)] : null;
        var span = PipelineTelemetry.ActivitySource.StartActivity(Name, ActivityKind.Internal, parent, links: links);
        span?.SetTag("shop", waiting.ShopDomain);
        span?.SetTag("shopify.webhook.topic", waiting.Topic);
        span?.SetTag("shopify.webhook.id", waiting.WebhookId);
        span?.SetTag("enricher.release.cause", cause);
        return span;
    }
}
