using Microsoft.Extensions.Options;
using Streaming.Ingest.Shops;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Ingest.Storefront;

/// <summary>Which browser origins may post a shop's storefront events: its configured storefronts and its myshopify.com domain.</summary>
public sealed class StorefrontOrigins
{
    private readonly Dictionary<string, HashSet<string>> _byShop;
    private readonly HashSet<string> _any;

    public StorefrontOrigins(IOptions<ShopList<IngestShop>> shops)
    {
        _byShop = shops.Value.Items.ToDictionary(
            s => Shop.Normalize(s.Domain),
            s => s.StorefrontOrigins.Select(IngestShop.NormalizeOrigin).OfType<string>()
                .Append($"https://{Shop.Normalize(s.Domain)}")
                .ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
        _any = _byShop.Values.SelectMany(o => o).ToHashSet(StringComparer.Ordinal);
    }

    public bool Allows(string shopDomain, string origin) =>
        _byShop.TryGetValue(shopDomain, out var origins) && origins.Contains(origin.ToLowerInvariant());

    /// <summary>For preflights, which carry no body and so no shop: the origin of any configured shop.</summary>
    public bool AllowsAny(string origin) => _any.Contains(origin.ToLowerInvariant());
}
