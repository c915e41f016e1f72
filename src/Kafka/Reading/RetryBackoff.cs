namespace Streaming.Kafka.Reading;

/// <summary>The one wait between attempts of something that failed and may work later, for every reader.</summary>
public static class RetryBackoff
{
    /// <summary>
    /// Exponential from <paramref name="baseDelay"/>, capped at <paramref name="cap"/>, with jitter taken
    /// below the cap (between half and all of the capped value): members retrying against one recovering
    /// service spread out, and no wait ever exceeds the cap.
    /// </summary>
    /// <param name="failures">Failures so far, from 1.</param>
    public static TimeSpan Next(int failures, TimeSpan baseDelay, TimeSpan cap, Random random)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var capped = Math.Min(cap.TotalMilliseconds, exponential);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (0.5 * random.NextDouble())));
    }
}
