using Microsoft.Extensions.Options;

namespace Streaming.ServiceDefaults.Shops;

/// <summary>Finds a configured shop by its domain, whatever its case.</summary>
public sealed class ShopDirectory<TShop>(IOptions<ShopList<TShop>> options)
    where TShop : Shop
{
    private readonly Dictionary<string, TShop> _shops =
        options.Value.Items.ToDictionary(s => Shop.Normalize(s.Domain), StringComparer.Ordinal);

    public IEnumerable<TShop> All => _shops.Values;

    public bool TryFind(string? domain, out TShop shop)
    {
        shop = null!;
        return domain is not null && _shops.TryGetValue(Shop.Normalize(domain), out shop!);
    }
}
