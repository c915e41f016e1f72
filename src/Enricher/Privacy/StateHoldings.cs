using Streaming.Enricher.Orders;
using Streaming.Enricher.Stitching;

namespace Streaming.Enricher.Privacy;

/// <summary>
/// Finds the entries of one partition's state that hold a compliance request's personal data, and says
/// what kinds of data they hold. For a customer: the carts and cartless orders whose sent orders include
/// one of theirs, the checkout links to those carts, and the orders still waiting for a session whose
/// body is theirs (with the carts and checkouts those name). For a shop: every entry of the shop.
/// The entries expired but not yet swept are found too: they are on disk and in the changelog.
/// </summary>
public static class StateHoldings
{
    public static async Task<IReadOnlyList<(string Key, EnricherState State)>> FindAsync(CartStates states, ComplianceRequest request)
    {
        var shopPrefix = request.ShopDomain + "/";
        var entries = new List<(string Key, EnricherState State)>();
        foreach (var (key, bytes) in states.Scan(shopPrefix).ToList())
        {
            entries.Add((key, await states.DecodeAsync(bytes)));
        }

        var waiting = new List<(string Key, EnricherState State)>();
        foreach (var (key, bytes) in states.Scan(CartStates.WaitingPrefix).ToList())
        {
            var state = await states.DecodeAsync(bytes);
            if (state.Waiting?.ShopDomain == request.ShopDomain)
            {
                waiting.Add((key, state));
            }
        }

        if (request.WholeShop)
        {
            return [.. entries, .. waiting];
        }

        var found = new Dictionary<string, EnricherState>(StringComparer.Ordinal);
        var carts = new HashSet<string>(StringComparer.Ordinal);
        var checkouts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, state) in entries.Where(e => e.State.SentOrders.Any(request.OrderIds.Contains)))
        {
            found[key] = state;
            carts.Add(key);
        }

        foreach (var (key, state) in waiting.Where(w => IsCustomers(request, w.State.Waiting!)))
        {
            found[key] = state;
            carts.Add(state.Waiting!.PartitionKey);
            if (state.Waiting.CheckoutToken is { } checkout)
            {
                checkouts.Add(CartStates.CheckoutLink(request.ShopDomain, checkout));
            }
        }

        foreach (var (key, state) in entries)
        {
            var linked = state.CartToken is { } cart && carts.Contains(CartStates.Cart(request.ShopDomain, cart));
            if (carts.Contains(key) || checkouts.Contains(key) || linked)
            {
                found[key] = state;
            }
        }

        return [.. found.Select(f => (f.Key, f.Value)).OrderBy(f => f.Key, StringComparer.Ordinal)];
    }

    /// <summary>The holding of the enricher's state: how many entries, what kinds of data, from when to when.</summary>
    public static PrivacyHolding Describe(IReadOnlyList<(string Key, EnricherState State)> found)
    {
        var kinds = new SortedSet<string>(StringComparer.Ordinal);
        long? first = null, last = null;
        foreach (var (_, state) in found)
        {
            foreach (var kind in KindsOf(state))
            {
                kinds.Add(kind);
            }

            var from = Math.Min(state.Session?.FirstSeen ?? state.UpdatedAt, state.Waiting?.ReceivedAt ?? long.MaxValue);
            var to = Math.Max(state.UpdatedAt, state.Waiting?.ReceivedAt ?? 0);
            first = Math.Min(first ?? from, from);
            last = Math.Max(last ?? to, to);
        }

        return new PrivacyHolding
        {
            Store = PersonalDataStores.EnricherState,
            Entries = found.Count,
            Kinds = [.. kinds],
            FirstAt = first is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f).UtcDateTime : null,
            LastAt = last is { } l ? DateTimeOffset.FromUnixTimeMilliseconds(l).UtcDateTime : null,
        };
    }

    private static IEnumerable<string> KindsOf(EnricherState state)
    {
        if (state.Session is { } session)
        {
            if (session.ClientIp is not null)
            {
                yield return PersonalDataStores.Kinds.IpAddress;
            }

            if (session.UserAgent is not null)
            {
                yield return PersonalDataStores.Kinds.UserAgent;
            }

            if (session.ClickId is not null)
            {
                yield return PersonalDataStores.Kinds.ClickId;
            }

            if (session.LandingUrl is not null)
            {
                yield return PersonalDataStores.Kinds.LandingUrl;
            }
        }

        if (state.CartLines is { Count: > 0 })
        {
            yield return PersonalDataStores.Kinds.CartContents;
        }

        if (state.SentOrders.Count > 0)
        {
            yield return PersonalDataStores.Kinds.OrderIds;
        }

        if (state.CartToken is not null)
        {
            yield return PersonalDataStores.Kinds.CheckoutLink;
        }

        if (state.Waiting is { } waiting)
        {
            yield return waiting.CheckoutEvent is null ? PersonalDataStores.Kinds.OrderBody : PersonalDataStores.Kinds.PinterestEvent;
        }
    }

    private static bool IsCustomers(ComplianceRequest request, WaitingWebhook waiting)
    {
        // A waiting order keeps its Pinterest event, not its body: the order id, the hashed e-mail and
        // customer id are in it as text.
        if (waiting.CheckoutEvent is { } checkoutEvent && (request.IsMentionedIn(checkoutEvent) || request.NamesAnOrderOrCustomerIn(checkoutEvent)))
        {
            return true;
        }

        if (waiting.Body.Length == 0)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(waiting.Body);
            return request.IsCustomers(document.RootElement);
        }
        catch (JsonException)
        {
            // A body that does not parse was never stored by the order processor; its raw bytes still tell.
            return request.IsMentionedIn(waiting.Body);
        }
    }
}
