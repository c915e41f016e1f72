using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Dispatcher.Delivery;

/// <summary>The lanes of the shops seen so far, one each, and one rate limit per ad account shared by its shops' lanes.</summary>
public sealed class ShopLanes : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ShopLane> _lanes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RateLimiter> _limits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ArrivalRate> _arrivals = new(StringComparer.Ordinal);
    // A lane's collaborators come from the container; its shop, its ad account's limit and arrival rate from here.
    private static readonly ObjectFactory NewLane = ActivatorUtilities.CreateFactory(typeof(ShopLane), [typeof(string), typeof(RateLimiter), typeof(ArrivalRate)]);

    private readonly IServiceProvider _services;
    private readonly int _requestsPerMinute;
    private readonly IDisposable? _onChange;

    private readonly TimeProvider _clock;

    public ShopLanes(IServiceProvider services, IOptions<DispatcherOptions> options, IOptionsMonitor<ShopList<DispatcherShop>> shops, TimeProvider clock)
    {
        _services = services;
        _clock = clock;
        _requestsPerMinute = options.Value.RequestsPerMinute;
        _onChange = shops.OnChange(_ =>
        {
            foreach (var lane in _lanes.Values)
            {
                lane.ShopsChanged();
            }
        });
    }

    public IReadOnlyDictionary<string, ShopLane> Lanes => _lanes;

    public void Route(PendingEvent pending)
    {
        var shop = Shop.Normalize(pending.Shop.Domain);
        var lane = _lanes.GetOrAdd(shop, s => (ShopLane)NewLane(_services, [s, Limit(pending.Shop.Pinterest.AdAccountId), Arrivals(pending.Shop.Pinterest.AdAccountId)]));
        lane.Enqueue(pending);
    }

    private ArrivalRate Arrivals(string adAccountId) => _arrivals.GetOrAdd(adAccountId, _ => new ArrivalRate(_clock));

    // A token bucket refilled about every second keeps to the per-minute limit without letting a whole
    // minute's calls go in one burst.
    private RateLimiter Limit(string adAccountId) => _limits.GetOrAdd(adAccountId, _ =>
    {
        var perMinute = _requestsPerMinute;
        var tokens = Math.Max(1, perMinute / 60);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds(60.0 * tokens / perMinute),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    });

    public async ValueTask DisposeAsync()
    {
        _onChange?.Dispose();
        foreach (var lane in _lanes.Values)
        {
            await lane.DisposeAsync();
        }

        foreach (var limit in _limits.Values)
        {
            limit.Dispose();
        }
    }
}
