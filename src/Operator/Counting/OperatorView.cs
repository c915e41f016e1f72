using System.Text;
using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Records;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Operator.Counting;

/// <summary>
/// The counts behind the page and the gauges, for the configured shops, in memory: built from the
/// delivery log, the enrichment outcomes and the dead letters, the same in every instance.
/// </summary>
public sealed class OperatorView
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ShopCounts> _shops;

    public OperatorView(IOptions<ShopList<OperatorShop>> shops)
    {
        Shops = [.. shops.Value.Items.Select(s => Shop.Normalize(s.Domain)).Order(StringComparer.Ordinal)];
        _shops = Shops.ToDictionary(s => s, _ => new ShopCounts(), StringComparer.Ordinal);
    }

    /// <summary>The configured shops, by domain.</summary>
    public IReadOnlyList<string> Shops { get; }

    private long _unattributed;

    /// <summary>Records of shops that are not configured (or of no shop that can be told), left out of every figure.</summary>
    public long Unattributed => Interlocked.Read(ref _unattributed);

    public void Add(EnrichmentOutcome outcome) => Add(outcome.ShopDomain, shop => shop.Add(outcome));

    public void Add(PinterestDelivery delivery) => Add(delivery.ShopDomain, shop => shop.Add(delivery));

    /// <summary>A dead letter keeps its source record's key, and every key of the pipeline starts with the shop's domain.</summary>
    public void Add(DeadLetter letter) => Add(ShopOfKey(letter.Key), shop => shop.Add(letter));

    public bool TryFigures(string shop, Window window, DateTimeOffset now, out ShopFigures figures)
    {
        figures = null!;
        lock (_gate)
        {
            if (!_shops.TryGetValue(Shop.Normalize(shop), out var counts))
            {
                return false;
            }

            figures = counts.Figures(Shop.Normalize(shop), window, now);
            return true;
        }
    }

    /// <summary>The shop's last 7 days by hour, or null for a shop that is not configured.</summary>
    public IReadOnlyList<HourTally>? Hours(string shop, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _shops.TryGetValue(Shop.Normalize(shop), out var counts) ? counts.Hours(now) : null;
        }
    }

    public IReadOnlyList<ShopFigures> AllFigures(Window window, DateTimeOffset now)
    {
        lock (_gate)
        {
            return [.. Shops.Select(s => _shops[s].Figures(s, window, now))];
        }
    }

    private void Add(string? shop, Action<ShopCounts> add)
    {
        lock (_gate)
        {
            if (shop is not null && _shops.TryGetValue(Shop.Normalize(shop), out var counts))
            {
                add(counts);
            }
            else
            {
                Interlocked.Increment(ref _unattributed);
            }
        }
    }

    private static string? ShopOfKey(byte[]? key)
    {
        if (key is null)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(key);
        return RecordKeys.ShopOf(text) ?? text;
    }
}
