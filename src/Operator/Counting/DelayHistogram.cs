namespace Streaming.Operator.Counting;

/// <summary>
/// Delays in logarithmic bins 2 % wide: percentiles of any number of events from a few hundred counters,
/// mergeable across buckets. A percentile is off by at most 1 % of its value, far below what matters
/// when the shop's own times are whole seconds.
/// </summary>
public sealed class DelayHistogram
{
    private const double Growth = 1.02;
    private static readonly double LogGrowth = Math.Log(Growth);

    private readonly Dictionary<int, long> _bins = [];

    public long Count { get; private set; }

    public void Add(double milliseconds)
    {
        var bin = milliseconds <= 1 ? 0 : (int)Math.Ceiling(Math.Log(milliseconds) / LogGrowth);
        _bins[bin] = _bins.GetValueOrDefault(bin) + 1;
        Count++;
    }

    public void AddTo(DelayHistogram total)
    {
        foreach (var (bin, count) in _bins)
        {
            total._bins[bin] = total._bins.GetValueOrDefault(bin) + count;
        }

        total.Count += Count;
    }

    /// <summary>The nearest-rank percentile (0 &lt; <paramref name="quantile"/> ≤ 1) in seconds, or null without events.</summary>
    public double? Seconds(double quantile)
    {
        if (Count == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(quantile * Count);
        long seen = 0;
        foreach (var (bin, count) in _bins.OrderBy(b => b.Key))
        {
            seen += count;
            if (seen >= rank)
            {
                // The middle of the bin, on the log scale: the error is at most half its width either way.
                return bin == 0 ? 0.001 : Math.Pow(Growth, bin - 0.5) / 1000;
            }
        }

        return null;
    }

    /// <summary>
    /// The events between each pair of <paramref name="edgesSeconds"/> (ascending), with one more below the
    /// first and one more from the last on. An event counts by the top of its bin, so a delay of a whole
    /// number of seconds (the shop's own times have no finer grain) lands on the side of the edge it
    /// belongs to; one up to 2 % below an edge may land above it.
    /// </summary>
    public long[] Between(IReadOnlyList<double> edgesSeconds)
    {
        var counts = new long[edgesSeconds.Count + 1];
        foreach (var (bin, count) in _bins)
        {
            var top = bin == 0 ? 0.001 : Math.Pow(Growth, bin) / 1000;
            var slot = 0;
            while (slot < edgesSeconds.Count && top >= edgesSeconds[slot])
            {
                slot++;
            }

            counts[slot] += count;
        }

        return counts;
    }
}
