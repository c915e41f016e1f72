using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Dispatcher.Pinterest;
using Streaming.Kafka;
using Streaming.Kafka.Topics;
using Streaming.Records;

namespace Streaming.Dispatcher.Delivery;

/// <summary>One event's outcome: its delivery status, the message that goes with it, and a dead-letter reason where it is due.</summary>
public readonly record struct Outcome(PendingEvent Pending, string Status, string? Message = null, string? DeadLetterReason = null);

/// <summary>
/// Finishes events: writes their delivery records and dead letters, waits until Kafka has them, counts
/// them, and only then lets their offsets go.
/// </summary>
public sealed class DeliveryLog(
    RecordPublisher publisher,
    DeadLetterPublisher deadLetterPublisher,
    IOptions<TopicsOptions> topics,
    PartitionProgress progress,
    PipelineTelemetry telemetry,
    TimeProvider clock)
{
    private readonly string _topic = topics.Value[PinterestDelivery.KafkaTopic].Name;

    public async Task FinishAsync(IReadOnlyCollection<Outcome> outcomes, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var writes = new List<Task>();
        var records = new List<(string Key, PinterestDelivery Value)>(outcomes.Count);
        foreach (var outcome in outcomes)
        {
            var pending = outcome.Pending;
            var e = pending.Event;
            if (outcome.DeadLetterReason is { } reason)
            {
                writes.Add(deadLetterPublisher.PublishAsync(pending.Raw, DeliveryStatus.Service, reason, outcome.Message ?? reason, cancellationToken));
            }

            records.Add((RecordKeys.Event(e.ShopDomain, e.EventId), new PinterestDelivery
            {
                EventId = e.EventId,
                ShopDomain = e.ShopDomain,
                AdAccountId = pending.Shop.Pinterest.AdAccountId,
                EventName = e.EventName,
                Status = outcome.Status,
                Message = string.IsNullOrEmpty(outcome.Message) ? null : outcome.Message,
                Attempts = pending.Attempts,
                LatencyMs = LatencyMs(pending, now),
                MatchKeys = ConversionRequest.MatchKeys(e),
                TestMode = pending.Shop.Pinterest.TestMode,
                AnsweredAt = now.UtcDateTime,
                Replay = e.Replay,
                EventTime = e.EventTime,
                DeadLetterReason = outcome.DeadLetterReason,
            }));
        }

        // A request's delivery records go as one batch, acknowledged together.
        writes.Add(publisher.PublishAllAsync(_topic, records, cancellationToken));
        await Task.WhenAll(writes).ConfigureAwait(false);
        progress.Finished(outcomes.Select(o => o.Pending));
        foreach (var outcome in outcomes)
        {
            telemetry.DeliveryDuration.Record(
                LatencyMs(outcome.Pending, now) / 1000.0, new("shop", outcome.Pending.Event.ShopDomain), new("outcome", outcome.Status));
        }

        // Counted per kind, not per event: a request's thousand events are one measurement.
        foreach (var kind in outcomes.GroupBy(o => (o.Status, o.Pending.Event.ShopDomain, o.DeadLetterReason)))
        {
            telemetry.EventsDispatched.Add(
                kind.Count(), new("outcome", kind.Key.Status), new("shop", kind.Key.ShopDomain), new("reason", kind.Key.DeadLetterReason));
        }
    }

    // From the record's write to pinterest.events to the outcome.
    private static long LatencyMs(PendingEvent pending, DateTimeOffset now) =>
        Math.Max(0, now.ToUnixTimeMilliseconds() - pending.Raw.Message.Timestamp.UnixTimestampMs);
}
