using Streaming.ServiceDefaults.Shops;

namespace Streaming.Replay.Operations;

/// <summary>The configured shops a command names with <c>--shop</c>, or all of them; a name that is not configured is a problem.</summary>
public static class ShopSelection
{
    public static (List<ConnectedShop> Shops, string? Problem) Select(IReadOnlyList<ConnectedShop> configured, IEnumerable<string> named)
    {
        var selected = named.Select(Shop.Normalize).ToHashSet(StringComparer.Ordinal);
        var known = configured.Where(s => !string.IsNullOrWhiteSpace(s.Domain)).ToDictionary(s => Shop.Normalize(s.Domain), StringComparer.Ordinal);
        if (known.Count == 0)
        {
            return ([], "no shop is configured (Shops:0:Domain and its settings).");
        }

        if (selected.FirstOrDefault(s => !known.ContainsKey(s)) is { } unknown)
        {
            return ([], $"--shop {unknown}: no such shop is configured (Shops). Configured: {string.Join(", ", known.Keys)}.");
        }

        return ([.. known.Where(k => selected.Count == 0 || selected.Contains(k.Key)).Select(k => k.Value)], null);
    }
}
