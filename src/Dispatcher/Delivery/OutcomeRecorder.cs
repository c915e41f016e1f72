using Streaming.Contracts;
using Streaming.Dispatcher.Dedupe;
using Streaming.Dispatcher.Health;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// Tells the rest of the dispatcher what a lane did: which events a request carries (so a hand-over waits
/// for it), the ids Pinterest accepted, each event's outcome (delivery record, dead letter, offset), and
/// which shops are paused, with the metrics that go with each.
/// </summary>
public sealed class OutcomeRecorder(DeliveredIds delivered, DeliveryLog log, PartitionProgress progress, GroupMembership membership, ShopHealth health, PipelineTelemetry telemetry)
{
    /// <summary>
    /// Marks the partitions of the events still open as sending until disposed: a stop or a hand-over waits
    /// for what is out. Only <see cref="SendingMark.Events"/> may go; the others were handed over meanwhile.
    /// Throws <see cref="MembershipInDoubtException"/> while the group's coordinator has been silent too long.
    /// </summary>
    public SendingMark Sending(IReadOnlyList<PendingEvent> events)
    {
        membership.EnsureConfirmed();
        return new(progress, progress.StartSending(events));
    }

    public Task FinishAsync(IReadOnlyCollection<Outcome> outcomes, CancellationToken cancellationToken) => log.FinishAsync(outcomes, cancellationToken);

    /// <summary>Finishes a request's events with their fates, in request order; returns how many Pinterest accepted.</summary>
    public async Task<int> FinishAsync(IReadOnlyList<PendingEvent> events, IReadOnlyList<EventFate> fates, string adAccountId, CancellationToken cancellationToken)
    {
        var outcomes = events.Zip(fates, (e, fate) => new Outcome(e, fate.Status, fate.Message, fate.DeadLetterReason)).ToList();

        // Remembered before the offsets may move: an accepted id is never sent again, whatever happens next.
        // Also for a partition being handed over: the hand-over waits for this, so the next owner knows.
        var accepted = events.Where((_, i) => fates[i].IsAccepted).ToList();
        await delivered.RecordAsync(
            accepted.Select(e => (e.Partition.Partition.Value, DeliveredIds.Key(adAccountId, e.Event.EventId), e.Event.ShopDomain)),
            cancellationToken);

        await log.FinishAsync(outcomes, cancellationToken);
        return accepted.Count;
    }

    /// <summary>Every event of a request Pinterest refused as a whole: rejected, dead-lettered.</summary>
    public Task DeadLetterAsync(IReadOnlyList<PendingEvent> events, AnswerDecision.DeadLetter decision, CancellationToken cancellationToken) =>
        log.FinishAsync(events.Select(e => new Outcome(e, DeliveryStatus.Rejected, decision.Message, decision.Reason)).ToList(), cancellationToken);

    public void MarketRefused(string shop) => telemetry.MarketFieldsRefused.Add(1, new KeyValuePair<string, object?>("shop", shop));

    public void Paused(string shop, string why)
    {
        health.Pause(shop, why);
        telemetry.ShopsPaused.Add(1, new KeyValuePair<string, object?>("shop", shop));
    }

    public void Resumed(string shop) => health.Resume(shop);

    public sealed class SendingMark(PartitionProgress progress, List<PendingEvent> events) : IDisposable
    {
        public List<PendingEvent> Events { get; } = events;

        public void Dispose() => progress.StopSending(Events);
    }
}
