namespace Streaming.Operator.Counting;

/// <summary>
/// A shop's tallies by event name in fixed time buckets, as many as the longest window it serves: a
/// bucket is reused, and its counts dropped, when its slot comes round again a full ring later.
/// </summary>
public sealed class BucketRing(TimeSpan bucket, int slots)
{
    private readonly long[] _starts = new long[slots];
    private readonly Dictionary<string, Tally>?[] _tallies = new Dictionary<string, Tally>?[slots];

    public TimeSpan Bucket => bucket;

    /// <summary>The tally of <paramref name="eventName"/> in the bucket of <paramref name="at"/>, or null when that bucket has already left the ring.</summary>
    public Tally? At(DateTimeOffset at, string eventName)
    {
        var start = Window.BucketStart(at, bucket).UtcTicks;
        var slot = (int)(start / bucket.Ticks % slots);
        if (_tallies[slot] is null || _starts[slot] < start)
        {
            _starts[slot] = start;
            _tallies[slot] = new Dictionary<string, Tally>(StringComparer.Ordinal);
        }
        else if (_starts[slot] > start)
        {
            return null;
        }

        var tallies = _tallies[slot]!;
        if (!tallies.TryGetValue(eventName, out var tally))
        {
            tallies[eventName] = tally = new Tally();
        }

        return tally;
    }

    /// <summary>Adds the buckets that start from <paramref name="from"/> up to <paramref name="now"/> into <paramref name="totals"/>, by event name.</summary>
    public void AddTo(Dictionary<string, Tally> totals, DateTimeOffset from, DateTimeOffset now)
    {
        for (var slot = 0; slot < slots; slot++)
        {
            if (_tallies[slot] is not { } tallies || _starts[slot] < from.UtcTicks || _starts[slot] > now.UtcTicks)
            {
                continue;
            }

            foreach (var (name, tally) in tallies)
            {
                if (!totals.TryGetValue(name, out var total))
                {
                    totals[name] = total = new Tally();
                }

                tally.AddTo(total);
            }
        }
    }

    /// <summary>Every event name's tally in the bucket that starts at <paramref name="start"/>, added up: empty when the ring holds nothing for it.</summary>
    public Tally Sum(DateTimeOffset start)
    {
        var total = new Tally();
        var ticks = Window.BucketStart(start, bucket).UtcTicks;
        var slot = (int)(ticks / bucket.Ticks % slots);
        if (_tallies[slot] is { } tallies && _starts[slot] == ticks)
        {
            foreach (var tally in tallies.Values)
            {
                tally.AddTo(total);
            }
        }

        return total;
    }
}
