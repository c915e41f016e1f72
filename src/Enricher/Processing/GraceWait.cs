using Streaming.Enricher.Stitching;
using Streaming.Enricher.Tracing;

namespace Streaming.Enricher.Processing;

/// <summary>
/// Puts a server event with no session yet in the waiting room: an entry in the task's state (so a
/// restart or a partition move keeps it) and in the task's index, due when the grace period is over in
/// event time or its wall-clock cap is reached. It keeps the trace it came with, for its release to continue.
/// </summary>
public sealed class GraceWait(EnricherOptions options)
{
    /// <summary>Whether server events wait for their session at all.</summary>
    public bool Applies => options.GracePeriod > TimeSpan.Zero;

    public async Task WaitAsync(
        ProcessorContext context, string partitionKey, ShopifyWebhook webhook, IList<CartLine> before, long at, byte[]? checkoutEvent = null, string? checkoutToken = null)
    {
        var waiting = new WaitingWebhook
        {
            PartitionKey = partitionKey,
            WebhookId = webhook.WebhookId,
            Topic = webhook.Topic,
            ShopDomain = webhook.ShopDomain,
            ReceivedAt = new DateTimeOffset(webhook.ReceivedAt, TimeSpan.Zero).ToUnixTimeMilliseconds(),
            Body = checkoutEvent is null ? webhook.Body : [],
            CheckoutEvent = checkoutEvent,
            CheckoutToken = checkoutToken,
            CartLinesBefore = [.. before.Select(l => new CartLine { VariantId = l.VariantId, Quantity = l.Quantity })],
            DueEventTime = at + (long)options.GracePeriod.TotalMilliseconds,
            DueWallTime = context.Clock.GetUtcNow().ToUnixTimeMilliseconds() + (long)options.GraceWallClockCap.TotalMilliseconds,
            Traceparent = TraceContexts.Traceparent(context.Trace),
            Tracestate = context.Trace.TraceState,
        };
        var key = CartStates.Waiting(partitionKey, waiting.DueEventTime, webhook.WebhookId);
        await context.States.WriteAsync(key, new EnricherState { Waiting = waiting }, at);
        context.Waiting.Add(key, waiting.DueWallTime);
    }
}
