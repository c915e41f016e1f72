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
        // Refilled every second, so a shopper who hit the limit waits a second or so, not a minute.
        var perSecond = Math.Max(1, perMinute / 60);
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(perSecond, Math.Min(perMinute, perSecond * 10)),
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
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
