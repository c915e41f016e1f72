using Streaming.Contracts;
using Streaming.Records;

namespace Streaming.Operator.Counting;

/// <summary>The counts of one shop's events of one name in one time bucket; buckets add up into a window.</summary>
public sealed class Tally
{
    /// <summary>Inputs the enricher decided on: an event written, one left out by a rule, a dead letter.</summary>
    public long Received { get; private set; }

    public long Excluded { get; private set; }

    /// <summary>Dead letters of the enricher (unmappable) and of the dispatcher (refused by Pinterest, too old).</summary>
    public long DeadLettered { get; private set; }

    /// <summary>Delivery records by status (processed, failed, rejected, too_old, duplicate, dry_run).</summary>
    public Dictionary<string, long> ByStatus { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> ExcludedBy { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> FailedBy { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> DeadLetteredBy { get; } = new(StringComparer.Ordinal);

    /// <summary>Events sent to Pinterest, or logged in a dry run: what match quality and the delay are measured on.</summary>
    public long Matchable { get; private set; }

    public Dictionary<string, long> WithKey { get; } = new(StringComparer.Ordinal);

    /// <summary>Checkout events the enricher wrote for web orders, and of them those joined to a session and those with a click id.</summary>
    public long WebOrders { get; private set; }

    public long JoinedToSession { get; private set; }

    public long WithClickId { get; private set; }

    public DelayHistogram Delay { get; } = new();

    public long Sent => Status(DeliveryStatus.Processed) + Status(DeliveryStatus.Failed) + Status(DeliveryStatus.Rejected);

    public long Accepted => Status(DeliveryStatus.Processed);

    public long Failed => Status(DeliveryStatus.Failed) + Status(DeliveryStatus.Rejected);

    public long Status(string status) => ByStatus.GetValueOrDefault(status);

    public void Add(EnrichmentOutcome outcome)
    {
        Received++;
        switch (outcome.Outcome)
        {
            case RecordOutcomes.Skipped:
                Excluded++;
                Increment(ExcludedBy, outcome.Reason ?? RecordOutcomes.Skipped);
                break;
            case RecordOutcomes.DeadLettered:
                DeadLettered++;
                Increment(DeadLetteredBy, outcome.Reason ?? RecordOutcomes.DeadLettered);
                break;
            case RecordOutcomes.Mapped when outcome.Input == ShopifyTopics.OrdersCreate:
                WebOrders++;
                JoinedToSession += outcome.SessionJoined ? 1 : 0;
                WithClickId += outcome.ClickId ? 1 : 0;
                break;
        }
    }

    public void Add(PinterestDelivery delivery)
    {
        Increment(ByStatus, delivery.Status);
        if (delivery.DeadLetterReason is { } reason)
        {
            DeadLettered++;
            Increment(DeadLetteredBy, reason);
        }

        if (delivery.Status is DeliveryStatus.Failed or DeliveryStatus.Rejected)
        {
            // Records from before the reason was written name only their status.
            Increment(FailedBy, delivery.DeadLetterReason ?? delivery.Status);
        }

        if (delivery.Status is not (DeliveryStatus.Processed or DeliveryStatus.Failed or DeliveryStatus.Rejected or DeliveryStatus.DryRun))
        {
            return;
        }

        Matchable++;
        foreach (var key in delivery.MatchKeys)
        {
            Increment(WithKey, key);
        }

        // A replay's delay is its age, not the pipeline's; a record without event_time has none to tell.
        if (delivery.EventTime > 0 && delivery.Replay is null)
        {
            var answered = new DateTimeOffset(DateTime.SpecifyKind(delivery.AnsweredAt, DateTimeKind.Utc));
            Delay.Add(Math.Max(0, (answered - DateTimeOffset.FromUnixTimeSeconds(delivery.EventTime)).TotalMilliseconds));
        }
    }

    public void AddTo(Tally total)
    {
        total.Received += Received;
        total.Excluded += Excluded;
        total.DeadLettered += DeadLettered;
        total.Matchable += Matchable;
        total.WebOrders += WebOrders;
        total.JoinedToSession += JoinedToSession;
        total.WithClickId += WithClickId;
        Merge(ByStatus, total.ByStatus);
        Merge(ExcludedBy, total.ExcludedBy);
        Merge(FailedBy, total.FailedBy);
        Merge(DeadLetteredBy, total.DeadLetteredBy);
        Merge(WithKey, total.WithKey);
        Delay.AddTo(total.Delay);
    }

    private static void Increment(Dictionary<string, long> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static void Merge(Dictionary<string, long> from, Dictionary<string, long> into)
    {
        foreach (var (key, count) in from)
        {
            into[key] = into.GetValueOrDefault(key) + count;
        }
    }
}
