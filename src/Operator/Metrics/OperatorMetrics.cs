using System.Diagnostics.Metrics;
using Avro.Specific;
using Streaming.Contracts;
using Streaming.Operator.Counting;
using Streaming.Records;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Operator.Metrics;

/// <summary>
/// The page's counts as instruments of the meter <c>Streaming.Pipeline</c> that Prometheus adds up and
/// takes rates and quantiles of itself: counters per shop and event name by outcome, and the delay as a
/// histogram. No window, quantile or date is computed here: a window is <c>increase(...[24h])</c>, a
/// quantile <c>histogram_quantile</c>. The names are a contract: dashboards use them.
/// </summary>
/// <remarks>
/// Each counts the records the feed reads that were written (their Kafka timestamp) since this instance
/// started. The 7 days read back at start are the page's, not news: counted again after every restart,
/// they would read as a burst to <c>rate()</c>. Every instance reads every partition, so every replica
/// counts every record: across replicas take one (<c>max without (pod, instance)</c>), not the sum.
/// </remarks>
public sealed class OperatorMetrics
{
    public const string Events = "pipeline.operator.events";
    public const string EventsByReason = "pipeline.operator.events_by_reason";
    public const string Delay = "pipeline.operator.delay";
    public const string MatchKeys = "pipeline.operator.match_keys";
    public const string WebOrders = "pipeline.operator.web_orders";
    public const string Orders = "pipeline.operator.orders";

    /// <summary>Seconds from the shop's event to Pinterest's answer: a webhook's few seconds up to a retry's day.</summary>
    public static readonly IReadOnlyList<double> DelayBuckets = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

    private readonly DateTimeOffset _since;
    private readonly HashSet<string> _shops;
    private readonly Counter<long> _events;
    private readonly Counter<long> _eventsByReason;
    private readonly Histogram<double> _delay;
    private readonly Counter<long> _matchKeys;
    private readonly Counter<long> _webOrders;
    private readonly Counter<long> _orders;

    public OperatorMetrics(IMeterFactory meters, OperatorView view, TimeProvider clock)
    {
        _since = clock.GetUtcNow();
        _shops = new HashSet<string>(view.Shops, StringComparer.Ordinal);
        var meter = meters.Create(PipelineTelemetry.Name);
        _events = meter.CreateCounter<long>(Events, "{event}", "Events per shop and event name by outcome: received, excluded, dead_lettered (enricher); sent, accepted, failed, dry_run, duplicate (dispatcher). Received holds excluded; sent holds accepted and failed.");
        _eventsByReason = meter.CreateCounter<long>(EventsByReason, "{event}", "Excluded, failed and dead-lettered events per shop and event name, by outcome and reason.");
        _delay = meter.CreateHistogram(Delay, "s", "From the shop's event to Pinterest's answer, per shop and event name; replays left out.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DelayBuckets });
        _matchKeys = meter.CreateCounter<long>(MatchKeys, "{event}", "Events sent (or logged in a dry run) that carried the match key, per shop and key: a share of sent plus dry_run.");
        _webOrders = meter.CreateCounter<long>(WebOrders, "{order}", "Checkout events of web orders per shop, by whether they joined a storefront session (session) and carried a Pinterest click id (click_id).");
        _orders = meter.CreateCounter<long>(Orders, "{order}", "Orders Shopify sent (kind received) and checkout events Pinterest accepted (kind checkout_accepted), per shop.");
    }

    /// <summary>The <c>outcome</c> tag of <see cref="Events"/> and <see cref="EventsByReason"/>.</summary>
    public static class Outcomes
    {
        public const string Received = "received";
        public const string Excluded = "excluded";
        public const string DeadLettered = RecordOutcomes.DeadLettered;
        public const string Sent = "sent";
        public const string Accepted = "accepted";
        public const string Failed = DeliveryStatus.Failed;
        public const string DryRun = DeliveryStatus.DryRun;
        public const string Duplicate = DeliveryStatus.Duplicate;
    }

    /// <summary>The <c>kind</c> tag of <see cref="Orders"/>.</summary>
    public static class OrderKinds
    {
        public const string Received = "received";
        public const string CheckoutAccepted = "checkout_accepted";
    }

    /// <summary>Counts a record the feed read, if it was written since this instance started and belongs to a configured shop.</summary>
    public void Count(ISpecificRecord record, DateTimeOffset writtenAt)
    {
        if (writtenAt < _since)
        {
            return;
        }

        switch (record)
        {
            case EnrichmentOutcome outcome when Configured(outcome.ShopDomain) is { } shop:
                Count(shop, outcome);
                break;
            case PinterestDelivery delivery when Configured(delivery.ShopDomain) is { } shop:
                Count(shop, delivery);
                break;
        }
    }

    private void Count(string shop, EnrichmentOutcome outcome)
    {
        // The page's own rules decide what the record counts as: a tally of this one record.
        var tally = new Tally();
        tally.Add(outcome);
        var eventName = outcome.EventName ?? ShopCounts.NoEvent;
        CountOutcomes(shop, eventName, tally);
        if (tally.WebOrders > 0)
        {
            _webOrders.Add(tally.WebOrders, Tag("shop", shop), Tag("session", Flag(tally.JoinedToSession)), Tag("click_id", Flag(tally.WithClickId)));
        }

        if (outcome.Input == ShopifyTopics.OrdersCreate)
        {
            _orders.Add(1, Tag("shop", shop), Tag("kind", OrderKinds.Received));
        }
    }

    private void Count(string shop, PinterestDelivery delivery)
    {
        var tally = new Tally();
        tally.Add(delivery);
        CountOutcomes(shop, delivery.EventName, tally);
        foreach (var (key, count) in tally.WithKey)
        {
            _matchKeys.Add(count, Tag("shop", shop), Tag("key", key));
        }

        // Whether the record has a delay is the tally's rule; the value is taken exactly, not from its bins.
        if (tally.Delay.Count > 0)
        {
            var answered = new DateTimeOffset(DateTime.SpecifyKind(delivery.AnsweredAt, DateTimeKind.Utc));
            var seconds = Math.Max(0, (answered - DateTimeOffset.FromUnixTimeSeconds(delivery.EventTime)).TotalSeconds);
            _delay.Record(seconds, Tag("shop", shop), Tag("event_name", delivery.EventName));
        }

        if (delivery.EventName == PinterestEventNames.Checkout && delivery.Status == DeliveryStatus.Processed)
        {
            _orders.Add(1, Tag("shop", shop), Tag("kind", OrderKinds.CheckoutAccepted));
        }
    }

    private void CountOutcomes(string shop, string eventName, Tally tally)
    {
        foreach (var (outcome, value) in new[]
                 {
                     (Outcomes.Received, tally.Received), (Outcomes.Excluded, tally.Excluded), (Outcomes.DeadLettered, tally.DeadLettered),
                     (Outcomes.Sent, tally.Sent), (Outcomes.Accepted, tally.Accepted), (Outcomes.Failed, tally.Failed),
                     (Outcomes.DryRun, tally.Status(DeliveryStatus.DryRun)), (Outcomes.Duplicate, tally.Status(DeliveryStatus.Duplicate)),
                 })
        {
            if (value > 0)
            {
                _events.Add(value, Tag("shop", shop), Tag("event_name", eventName), Tag("outcome", outcome));
            }
        }

        foreach (var (outcome, reasons) in new[] { (Outcomes.Excluded, tally.ExcludedBy), (Outcomes.Failed, tally.FailedBy), (Outcomes.DeadLettered, tally.DeadLetteredBy) })
        {
            foreach (var (reason, value) in reasons)
            {
                _eventsByReason.Add(value, Tag("shop", shop), Tag("event_name", eventName), Tag("outcome", outcome), Tag("reason", reason));
            }
        }
    }

    private string? Configured(string? shop) =>
        shop is not null && _shops.Contains(Shop.Normalize(shop)) ? Shop.Normalize(shop) : null;

    private static string Flag(long count) => count > 0 ? "true" : "false";

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
