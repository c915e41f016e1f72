using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Streaming.Ingest.Storefront;

/// <summary>A token bucket per client IP for the public endpoint: a page view fires a handful of events, a flood does not get through.</summary>
public sealed class ClientRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public ClientRateLimiter(IOptions<StorefrontOptions> options)
    {
        var perMinute = options.Value.RequestsPerMinutePerClient;
        // One token every 60 s / perMinute (5 a minute: one each 12 s), in steps of at least 10 ms; a
        // client may spend ten seconds' worth at once, a page view's burst of events.
        var step = TimeSpan.FromMinutes(1) / perMinute;
        var (period, tokens) = step >= TimeSpan.FromMilliseconds(10)
            ? (step, 1)
            : (TimeSpan.FromMilliseconds(10), (int)Math.Min(int.MaxValue, Math.Round(perMinute / 6000.0)));
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = (int)Math.Max(1, perMinute / 6L),
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Null when the client may go on; else how long it should wait.</summary>
    public TimeSpan? TryAcquire(string client)
    {
        using var lease = _limiter.AttemptAcquire(client);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    public void Dispose() => _limiter.Dispose();
}
