namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// The events that arrived for one ad account over the last <see cref="Window"/>, counted in slots of a
/// tenth of it, as a rate a minute. Unknown (null) until the account has a whole window of history. Safe
/// to use from the poll loop (which counts) and the lanes (which read).
/// </summary>
public sealed class ArrivalRate(TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2);
    private const int Slots = 10;
    private static readonly long SlotTicks = Window.Ticks / Slots;

    private readonly object _sync = new();
    private readonly long[] _counts = new long[Slots];
    private readonly long[] _slotOf = new long[Slots];
    private readonly long _since = clock.GetUtcNow().UtcTicks / SlotTicks;

    public void Arrived(int events = 1)
    {
        var slot = clock.GetUtcNow().UtcTicks / SlotTicks;
        lock (_sync)
        {
            var i = (int)(slot % Slots);
            if (_slotOf[i] != slot)
            {
                _slotOf[i] = slot;
                _counts[i] = 0;
            }

            _counts[i] += events;
        }
    }

    /// <summary>Events a minute over the last window; null while there is less than a window of history.</summary>
    public double? PerMinute()
    {
        var now = clock.GetUtcNow().UtcTicks;
        var slot = now / SlotTicks;
        if (slot - _since < Slots)
        {
            return null;
        }

        long total = 0;
        lock (_sync)
        {
            for (var i = 0; i < Slots; i++)
            {
                // The nine slots before the current one, and the current one, partly filled.
                if (slot - _slotOf[i] < Slots)
                {
                    total += _counts[i];
                }
            }
        }

        // Over the time those slots cover: nine whole ones and what has passed of the current one.
        var covered = (Slots - 1) * SlotTicks + now % SlotTicks + 1;
        return total * (double)TimeSpan.TicksPerMinute / covered;
    }
}
