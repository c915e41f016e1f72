using System.Diagnostics.Metrics;
using System.Globalization;
using Streaming.Operator.Counting;
using Streaming.Contracts;

namespace Streaming.Operator.Metrics;

/// <summary>
/// The page's figures as gauges (meter <c>Streaming.Pipeline</c>), read when metrics are collected: per
/// shop, event name and window, per match key, per day. The names are a contract: dashboards use them.
/// </summary>
public sealed class OperatorMetrics(PipelineTelemetry telemetry, OperatorView view, TimeProvider clock) : IHostedService
{
    // One collection reads every gauge in turn: they share one computation of the figures.
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private (DateTimeOffset At, IReadOnlyList<ShopFigures> Figures)? _last;

    public const string Events = "pipeline.operator.events";
    public const string EventsByReason = "pipeline.operator.events_by_reason";
    public const string Delay = "pipeline.operator.delay";
    public const string MatchKeyShare = "pipeline.operator.match_key_share";
    public const string WebOrdersJoinedShare = "pipeline.operator.web_orders.session_share";
    public const string WebOrdersClickIdShare = "pipeline.operator.web_orders.click_id_share";
    public const string Orders = "pipeline.operator.orders";

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

    public Task StartAsync(CancellationToken cancellationToken)
    {
        telemetry.Observe(Events, "{event}", "Events per shop, event name and window (1h, 24h, 7d), by outcome: received, excluded, dead_lettered, sent, accepted, failed, dry_run, duplicate.", EventCounts);
        telemetry.Observe(EventsByReason, "{event}", "Excluded, failed and dead-lettered events per shop, event name and window, by reason.", ReasonCounts);
        telemetry.Observe(Delay, "s", "From the shop's event to Pinterest's answer, per shop, event name and window: quantile 0.5 and 0.99.", Delays);
        telemetry.Observe(MatchKeyShare, "1", "Share of the events sent (or logged in a dry run) that carried the match key, per shop, key and window.", KeyShares);
        telemetry.Observe(WebOrdersJoinedShare, "1", "Share of the web orders' checkout events joined to a storefront session, per shop and window.", () => WebOrderShares(t => t.JoinedToSession));
        telemetry.Observe(WebOrdersClickIdShare, "1", "Share of the web orders' checkout events with a Pinterest click id, per shop and window.", () => WebOrderShares(t => t.WithClickId));
        telemetry.Observe(Orders, "{order}", "Orders Shopify sent and checkout events Pinterest accepted, per shop and UTC day of the order (date).", OrderCounts);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every shop over every window, computed at most once per <see cref="Fresh"/>.</summary>
    private IReadOnlyList<ShopFigures> Figures()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_last is not { } last || now - last.At >= Fresh)
            {
                _last = last = (now, [.. Window.All.SelectMany(w => view.AllFigures(w, now))]);
            }

            return last.Figures;
        }
    }

    private IEnumerable<(ShopFigures Figures, EventFigures Event)> EachEvent() => Figures().SelectMany(f => f.Events.Select(e => (f, e)));

    private IEnumerable<Measurement<long>> EventCounts()
    {
        foreach (var (figures, e) in EachEvent())
        {
            var c = e.Counts;
            foreach (var (outcome, value) in new[]
                     {
                         (Outcomes.Received, c.Received), (Outcomes.Excluded, c.Excluded), (Outcomes.DeadLettered, c.DeadLettered),
                         (Outcomes.Sent, c.Sent), (Outcomes.Accepted, c.Accepted), (Outcomes.Failed, c.Failed),
                         (Outcomes.DryRun, c.Status(DeliveryStatus.DryRun)), (Outcomes.Duplicate, c.Status(DeliveryStatus.Duplicate)),
                     })
            {
                yield return new(value, Tag("shop", figures.Shop), Tag("event_name", e.EventName), Tag("window", figures.Window.Name), Tag("outcome", outcome));
            }
        }
    }

    private IEnumerable<Measurement<long>> ReasonCounts()
    {
        foreach (var (figures, e) in EachEvent())
        {
            foreach (var (outcome, reasons) in new[] { (Outcomes.Excluded, e.Counts.ExcludedBy), (Outcomes.Failed, e.Counts.FailedBy), (Outcomes.DeadLettered, e.Counts.DeadLetteredBy) })
            {
                foreach (var (reason, value) in reasons)
                {
                    yield return new(value, Tag("shop", figures.Shop), Tag("event_name", e.EventName), Tag("window", figures.Window.Name), Tag("outcome", outcome), Tag("reason", reason));
                }
            }
        }
    }

    private IEnumerable<Measurement<double>> Delays()
    {
        foreach (var (figures, e) in EachEvent())
        {
            foreach (var quantile in new[] { 0.5, 0.99 })
            {
                if (e.Counts.Delay.Seconds(quantile) is { } seconds)
                {
                    yield return new(seconds, Tag("shop", figures.Shop), Tag("event_name", e.EventName), Tag("window", figures.Window.Name), Tag("quantile", quantile.ToString(CultureInfo.InvariantCulture)));
                }
            }
        }
    }

    private IEnumerable<Measurement<double>> KeyShares()
    {
        foreach (var figures in Figures().Where(f => f.Total.Matchable > 0))
        {
            foreach (var key in MatchKeyNames.All)
            {
                yield return new((double)figures.Total.WithKey.GetValueOrDefault(key) / figures.Total.Matchable, Tag("shop", figures.Shop), Tag("key", key), Tag("window", figures.Window.Name));
            }
        }
    }

    private IEnumerable<Measurement<double>> WebOrderShares(Func<Tally, long> part)
    {
        foreach (var figures in Figures().Where(f => f.Total.WebOrders > 0))
        {
            yield return new((double)part(figures.Total) / figures.Total.WebOrders, Tag("shop", figures.Shop), Tag("window", figures.Window.Name));
        }
    }

    private IEnumerable<Measurement<long>> OrderCounts()
    {
        foreach (var figures in Figures().Where(f => f.Window == Window.Day))
        {
            foreach (var day in figures.Days)
            {
                var date = day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                yield return new(day.Orders, Tag("shop", figures.Shop), Tag("date", date), Tag("kind", OrderKinds.Received));
                yield return new(day.CheckoutsAccepted, Tag("shop", figures.Shop), Tag("date", date), Tag("kind", OrderKinds.CheckoutAccepted));
            }
        }
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
