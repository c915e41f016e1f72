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
}
