using Streaming.Contracts;
using Streaming.Records;

namespace Streaming.Operator.Counting;

/// <summary>Everything the view keeps for one shop: tallies in minute and hour buckets, the days, the latest lines.</summary>
public sealed class ShopCounts
{
    /// <summary>The event name of inputs that stand for no Pinterest event (an order update that could not be read).</summary>
    public const string NoEvent = "none";

    public const int RecentCapacity = 50;
    private const int Days = 7;

    private readonly BucketRing _minutes = new(Window.Hour.Bucket, Window.Hour.Buckets);
    private readonly BucketRing _hours = new(Window.Week.Bucket, Window.Week.Buckets);
    private readonly SortedDictionary<DateOnly, DayFigures> _days = [];
    private readonly RecentLines<DeliveryLine> _deliveries = new(RecentCapacity, l => l.AnsweredAt);
    private readonly RecentLines<DeadLetterLine> _deadLetters = new(RecentCapacity, l => l.FailedAt);

    public void Add(EnrichmentOutcome outcome)
    {
        foreach (var tally in Tallies(outcome.DecidedAt, outcome.EventName ?? NoEvent))
        {
            tally.Add(outcome);
        }

        if (outcome.Input == ShopifyTopics.OrdersCreate && Day(outcome.OccurredAt) is { } day)
        {
            day.Orders++;
            day.OrdersExcluded += outcome.Outcome == RecordOutcomes.Skipped ? 1 : 0;
            day.OrdersDeadLettered += outcome.Outcome == RecordOutcomes.DeadLettered ? 1 : 0;
        }
    }

    public void Add(PinterestDelivery delivery)
    {
        foreach (var tally in Tallies(delivery.AnsweredAt, delivery.EventName))
        {
            tally.Add(delivery);
        }

        var happened = delivery.EventTime > 0 ? DateTimeOffset.FromUnixTimeSeconds(delivery.EventTime).UtcDateTime : delivery.AnsweredAt;
        if (delivery.EventName == PinterestEventNames.Checkout && Day(happened) is { } day)
        {
            day.CheckoutsSent += delivery.Status is DeliveryStatus.Processed or DeliveryStatus.Failed or DeliveryStatus.Rejected ? 1 : 0;
            day.CheckoutsAccepted += delivery.Status == DeliveryStatus.Processed ? 1 : 0;
            day.CheckoutsDryRun += delivery.Status == DeliveryStatus.DryRun ? 1 : 0;
        }

        _deliveries.Add(new DeliveryLine(
            Utc(delivery.AnsweredAt),
            delivery.EventName,
            delivery.EventId,
            delivery.Status,
            delivery.DeadLetterReason,
            delivery.Attempts,
            delivery.LatencyMs,
            [.. delivery.MatchKeys],
            delivery.Message is { } message ? Redaction.Text(message) : null,
            delivery.TestMode,
            delivery.Replay));
    }

    public void Add(DeadLetter letter)
    {
        // A redacted copy (a compliance request) is written under the letter's key: it stands for the original.
        _deadLetters.RemoveWhere(l => l.SourceTopic == letter.SourceTopic && l.SourcePartition == letter.SourcePartition && l.SourceOffset == letter.SourceOffset);
        _deadLetters.Add(new DeadLetterLine(
            Utc(letter.FailedAt), letter.Service, letter.Reason, Redaction.Text(letter.Error), letter.SourceTopic, letter.SourcePartition, letter.SourceOffset));
    }

    /// <summary>The shop's figures over <paramref name="window"/> as of <paramref name="now"/>.</summary>
    public ShopFigures Figures(string shop, Window window, DateTimeOffset now)
    {
        var byEvent = new Dictionary<string, Tally>(StringComparer.Ordinal);
        (window == Window.Hour ? _minutes : _hours).AddTo(byEvent, window.From(now), now);
        var total = new Tally();
        foreach (var tally in byEvent.Values)
        {
            tally.AddTo(total);
        }

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var days = Enumerable.Range(0, Days)
            .Select(back => today.AddDays(-back))
            .Select(d => _days.TryGetValue(d, out var figures) ? figures.Copy() : new DayFigures(d))
            .ToList();
        return new ShopFigures(
            shop,
            window,
            now,
            [.. byEvent.OrderBy(e => EventOrder(e.Key)).ThenBy(e => e.Key, StringComparer.Ordinal).Select(e => new EventFigures(e.Key, e.Value))],
            total,
            days,
            _deliveries.NewestFirst(),
            _deadLetters.NewestFirst());
    }

    /// <summary>The shop's last 7 days hour by hour, oldest first: what the charts draw, from the same hourly buckets as the 7-day window.</summary>
    public IReadOnlyList<HourTally> Hours(DateTimeOffset now)
    {
        var from = Window.Week.From(now);
        return [.. Enumerable.Range(0, Window.Week.Buckets).Select(i => from + (Window.Week.Bucket * i)).Select(start => new HourTally(start, _hours.Sum(start)))];
    }

    private IEnumerable<Tally> Tallies(DateTime at, string eventName)
    {
        var time = new DateTimeOffset(Utc(at));
        if (_minutes.At(time, eventName) is { } minute)
        {
            yield return minute;
        }

        if (_hours.At(time, eventName) is { } hour)
        {
            yield return hour;
        }
    }

    private DayFigures? Day(DateTime at)
    {
        var day = DateOnly.FromDateTime(Utc(at));
        if (_days.Count > 0 && day < _days.Keys.Max().AddDays(-Days))
        {
            return null;
        }

        if (!_days.TryGetValue(day, out var figures))
        {
            _days[day] = figures = new DayFigures(day);
            while (_days.Count > Days + 1)
            {
                _days.Remove(_days.Keys.First());
            }
        }

        return figures;
    }

    // The purchase first, the way a merchant reads down the funnel; browsing events after.
    private static int EventOrder(string name) => name switch
    {
        PinterestEventNames.Checkout => 0,
        PinterestEventNames.AddToCart => 1,
        NoEvent => 3,
        _ => 2,
    };

    private static DateTime Utc(DateTime at) => at.Kind == DateTimeKind.Utc ? at : DateTime.SpecifyKind(at, DateTimeKind.Utc);
}

/// <summary>A shop over a window, as the page and the gauges show it.</summary>
public sealed record ShopFigures(
    string Shop,
    Window Window,
    DateTimeOffset AsOf,
    IReadOnlyList<EventFigures> Events,
    Tally Total,
    IReadOnlyList<DayFigures> Days,
    IReadOnlyList<DeliveryLine> Deliveries,
    IReadOnlyList<DeadLetterLine> DeadLetters);

/// <summary>One hour of a shop, every event name added up.</summary>
public sealed record HourTally(DateTimeOffset Start, Tally Counts);

/// <summary>One event name's counts over a window.</summary>
public sealed record EventFigures(string EventName, Tally Counts);
