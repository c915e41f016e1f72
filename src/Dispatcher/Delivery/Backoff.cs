namespace Streaming.Dispatcher.Delivery;

/// <summary>Waits between attempts of a failing ad account.</summary>
public static class Backoff
{
    /// <summary>
    /// Exponential from <paramref name="baseDelay"/>, capped at <paramref name="cap"/>, with jitter taken
    /// below the cap (between half and all of the capped value): members retrying one ad account spread
    /// out, and no wait ever exceeds the cap.
    /// </summary>
    public static TimeSpan Next(int failures, TimeSpan baseDelay, TimeSpan cap, Random random)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var capped = Math.Min(cap.TotalMilliseconds, exponential);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (0.5 * random.NextDouble())));
    }
}
