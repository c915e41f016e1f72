using System.Threading.Channels;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// The events waiting in one shop's lane: those routed to it, and those it holds back (a repeat of an id
/// still on its way, everything that arrives while the shop is paused). Gathers them into requests.
/// Used by the lane's worker only, except for <see cref="Enqueue"/>.
/// </summary>
public sealed class LaneInbox(DispatcherOptions options, TimeProvider clock)
{
    private readonly Channel<PendingEvent> _arrivals = Channel.CreateUnbounded<PendingEvent>(new() { SingleReader = true });
    private readonly List<PendingEvent> _held = [];

    public void Enqueue(PendingEvent pending) => _arrivals.Writer.TryWrite(pending);

    /// <summary>Keeps events back for a later request.</summary>
    public void Hold(IEnumerable<PendingEvent> events) => _held.AddRange(events);

    /// <summary>Holds everything that arrived so far, and hands back the open events held: a paused lane keeps them all.</summary>
    public IReadOnlyList<PendingEvent> HoldArrivals()
    {
        while (_arrivals.Reader.TryRead(out var next))
        {
            _held.Add(next);
        }

        _held.RemoveAll(e => !e.Open);
        return [.. _held];
    }

    /// <summary>
    /// Waits for a first event, then gathers more until the request is full or the linger is over; the
    /// linger is asked for once the first event is there (see <see cref="AdaptiveLinger"/>).
    /// </summary>
    public async Task<List<PendingEvent>> NextRequestAsync(Func<TimeSpan> linger, CancellationToken cancellationToken)
    {
        var batch = new List<PendingEvent>();
        var max = options.MaxEventsPerRequest;
        batch.AddRange(_held.Where(e => e.Open).Take(max));
        _held.RemoveAll(e => !e.Open || batch.Contains(e));
        if (batch.Count == 0)
        {
            batch.Add(await _arrivals.Reader.ReadAsync(cancellationToken));
        }

        using var gathering = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        gathering.CancelAfter(Gathering(
            DateTimeOffset.FromUnixTimeMilliseconds(batch[0].Raw.Message.Timestamp.UnixTimestampMs), clock.GetUtcNow(), options.Linger, linger));
        while (batch.Count < max)
        {
            if (_arrivals.Reader.TryRead(out var next))
            {
                batch.Add(next);
                continue;
            }

            try
            {
                if (!await _arrivals.Reader.WaitToReadAsync(gathering.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        return batch;
    }

    /// <summary>
    /// How long a request whose first event was written at <paramref name="written"/> still gathers. The
    /// linger counts from the write, so the hops before the dispatcher come out of it rather than on top of
    /// it. An event that arrives already older than the linger comes from a backlog (a catch-up after a
    /// pause, a replay), where full requests matter more than a few milliseconds: it gathers a whole linger.
    /// </summary>
    internal static TimeSpan RemainingLinger(DateTimeOffset written, DateTimeOffset now, TimeSpan linger) =>
        Gathering(written, now, linger, () => linger);

    /// <summary>
    /// As <see cref="RemainingLinger"/>, with the linger the ad account's rate asks for (<paramref name="wanted"/>)
    /// for a fresh event. An event older than the configured linger comes from a backlog and gathers the whole
    /// configured linger whatever the rate says: a rate measured while the poll loop caught up, or stalled,
    /// says nothing of what is queued behind it, and a backlog wants full requests.
    /// </summary>
    internal static TimeSpan Gathering(DateTimeOffset written, DateTimeOffset now, TimeSpan configured, Func<TimeSpan> wanted)
    {
        var age = now - written;
        if (age <= TimeSpan.Zero || age >= configured)
        {
            return configured;
        }

        var linger = wanted();
        return age < linger ? linger - age : TimeSpan.Zero;
    }
}
