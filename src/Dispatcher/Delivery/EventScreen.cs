using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Dispatcher.Dedupe;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// Keeps out of a request what must not go: events too old for Pinterest to count, ids Pinterest already
/// accepted for the ad account, and an id read twice. Each is finished here with its delivery record.
/// </summary>
public sealed class EventScreen(DeliveredIds delivered, OutcomeRecorder outcomes, IOptions<DispatcherOptions> options, TimeProvider clock)
{
    private readonly TimeSpan _maxEventAge = options.Value.MaxEventAge;

    /// <summary>Dead-letters the open events older than Dispatcher:MaxEventAge; returns the others still open.</summary>
    public async Task<List<PendingEvent>> DropTooOldAsync(IEnumerable<PendingEvent> events, CancellationToken cancellationToken)
    {
        var open = events.Where(e => e.Open).ToList();
        var oldest = (clock.GetUtcNow() - _maxEventAge).ToUnixTimeSeconds();
        var tooOld = open.Where(e => e.Event.EventTime < oldest).ToList();
        if (tooOld.Count == 0)
        {
            return open;
        }

        var message = $"event_time is more than {_maxEventAge.TotalDays:0.##} day(s) old (Dispatcher:MaxEventAge); Pinterest would not count it.";
        await outcomes.FinishAsync(tooOld.Select(e => new Outcome(e, DeliveryStatus.TooOld, message, DeliveryStatus.Reasons.TooOld)).ToList(), cancellationToken);
        return open.Where(e => e.Open).ToList();
    }

    /// <summary>
    /// The same id twice in one batch (an event the enricher wrote again after a partition move): the
    /// first goes, the others follow its fate.
    /// </summary>
    public static (List<PendingEvent> First, List<PendingEvent> Repeats) SplitRepeats(IReadOnlyList<PendingEvent> events)
    {
        var ids = new HashSet<string>(events.Count, StringComparer.Ordinal);
        var (first, repeats) = (new List<PendingEvent>(events.Count), new List<PendingEvent>());
        foreach (var e in events)
        {
            (ids.Add(e.Event.EventId) ? first : repeats).Add(e);
        }

        return (first, repeats);
    }

    /// <summary>Finishes as duplicates the events whose id Pinterest already accepted (unless resent on purpose); returns the others.</summary>
    public async Task<List<PendingEvent>> DropAcceptedAsync(string adAccountId, IReadOnlyList<PendingEvent> events, CancellationToken cancellationToken)
    {
        var keys = events.Select(e => (e.Partition.Partition.Value, DeliveredIds.Key(adAccountId, e.Event.EventId))).ToList();
        var accepted = await delivered.AcceptedAsync(keys.Where((_, i) => !events[i].Event.Resend));
        var duplicates = accepted.Count == 0 ? [] : events.Where((_, i) => accepted.Contains(keys[i])).ToList();
        await outcomes.FinishAsync(
            duplicates.Select(e => new Outcome(e, DeliveryStatus.Duplicate, "Pinterest already accepted this event id for the ad account.")).ToList(),
            cancellationToken);
        return events.Where(e => e.Open).ToList();
    }

    /// <summary>Repeats of an id that went are finished as duplicates; returns those of an id that did not, to go next time.</summary>
    public async Task<List<PendingEvent>> FinishRepeatsAsync(IReadOnlyList<PendingEvent> repeats, IReadOnlyList<PendingEvent> first, CancellationToken cancellationToken)
    {
        var done = repeats.Where(r => first.Any(f => f.Event.EventId == r.Event.EventId && f.Finished)).ToList();
        await outcomes.FinishAsync(
            done.Select(e => new Outcome(e, DeliveryStatus.Duplicate, "The same event id was read twice; it was sent once.")).ToList(),
            cancellationToken);
        return repeats.Where(e => e.Open).ToList();
    }
}
