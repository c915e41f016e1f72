using System.Diagnostics;
using Streaming.Enricher.Orders;
using Streaming.Enricher.Tracing;

namespace Streaming.Enricher.Processing;

/// <summary>
/// Lets waiting server events go with whatever session is known by then: those whose grace period is
/// over, those a session has just come for, or all of them at the end of a bounded input. Each release
/// runs in a span of the webhook's own trace (<see cref="ReleaseSpans"/>), which its events are written under.
/// </summary>
public sealed partial class WaitingRelease(ShopDirectory<EnricherShop> shops, OrderProcessor orders, CartProcessor carts, ILogger logger)
{
    /// <summary>
    /// Releases the waiting server events whose grace period is over in the task's stream time, and with
    /// <paramref name="byWallClock"/> also those past their wall-clock cap (which needs a full look).
    /// </summary>
    public async Task ReleaseDueAsync(ProcessorContext context, bool byWallClock)
    {
        var now = byWallClock ? context.Clock.GetUtcNow().ToUnixTimeMilliseconds() : (long?)null;
        foreach (var key in context.Waiting.Due(context.StreamTime, now))
        {
            await ReleaseAsync(key, context, ReleaseSpans.Causes.GracePeriodOver, releasedBy: default);
        }
    }

    /// <summary>Releases everything waiting, as if all grace periods were over.</summary>
    public async Task ReleaseAllAsync(ProcessorContext context)
    {
        foreach (var key in context.Waiting.Due(long.MaxValue, long.MaxValue))
        {
            await ReleaseAsync(key, context, ReleaseSpans.Causes.InputEnded, releasedBy: default);
        }
    }

    /// <summary>
    /// Releases what waits for the session of <paramref name="partitionKey"/>, in the order it came, each
    /// linked to the trace of the record being handled: the one that brought the session.
    /// </summary>
    public async Task ReleaseWaitingForAsync(string partitionKey, ProcessorContext context)
    {
        foreach (var key in context.Waiting.WaitingFor(partitionKey))
        {
            await ReleaseAsync(key, context, ReleaseSpans.Causes.SessionArrived, releasedBy: context.Trace);
        }
    }

    /// <summary>Maps a waiting webhook with whatever session is known now, and lets it go.</summary>
    private async Task ReleaseAsync(string key, ProcessorContext context, string cause, ActivityContext releasedBy)
    {
        var states = context.States;
        var entry = states.Store.Read(key) is { } bytes ? await states.DecodeAsync(bytes) : new EnricherState();
        states.Delete(key);
        context.Waiting.Remove(key);
        if (entry.Waiting is not { } waiting || !shops.TryFind(waiting.ShopDomain, out var shop))
        {
            return;
        }

        var webhook = new ShopifyWebhook
        {
            WebhookId = waiting.WebhookId,
            Topic = waiting.Topic,
            ShopDomain = waiting.ShopDomain,
            ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(waiting.ReceivedAt).UtcDateTime,
            Body = waiting.Body,
        };
        var at = Math.Max(entry.UpdatedAt, context.StreamTime);
        // Current until this method returns, and kept running by the output until the batch has written
        // what the release let go: the events' records carry the webhook's trace.
        var span = ReleaseSpans.Start(waiting, cause, releasedBy);
        using var releasing = context.Output.Releasing(span);
        try
        {
            var outcome = waiting.CheckoutEvent is not null
                ? await orders.ReleaseAsync(waiting, shop, at, context)
                : await carts.ReleaseAsync(webhook, waiting.CartLinesBefore, shop, at, context);
            var counted = outcome == RecordOutcomes.Mapped ? RecordOutcomes.Released : outcome;
            span?.SetTag("enricher.release.outcome", counted);
            context.Output.Counted(webhook.Topic, counted);
        }
        catch (Exception e) when (e is UnmappableWebhookException or JsonException)
        {
            // It was mapped once on arrival; only a changed mapper gets here. Counted and logged, not retried forever.
            span?.SetTag("enricher.release.outcome", SkipReasons.UnmappableOnRelease);
            context.Output.Counted(webhook.Topic, SkipReasons.UnmappableOnRelease);
            context.Output.Skipped(webhook.ShopDomain, webhook.Topic, SkipReasons.UnmappableOnRelease, webhook.ReceivedAt);
            LogReleaseFailed(logger, e, webhook.Topic, webhook.WebhookId);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A waiting {Topic} webhook {WebhookId} could not be mapped when its wait ended; it is dropped")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string topic, string webhookId);
}
