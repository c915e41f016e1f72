using System.Net;

namespace Streaming.Ingest.Storefront;

/// <summary>
/// The shopper's IP address: the peer's, unless the peer is one of our trusted proxies; then the
/// right-most address in X-Forwarded-For that is not a trusted proxy itself. Addresses left of that were
/// written by whoever sent the request, and anyone can write anything there.
/// </summary>
public static class ClientAddress
{
    public static IPAddress? Resolve(HttpContext context, IReadOnlyList<IPNetwork> trustedProxies)
    {
        var peer = Plain(context.Connection.RemoteIpAddress);
        if (peer is null || !IsTrusted(peer, trustedProxies))
        {
            return peer;
        }

        var client = peer;
        var forwarded = context.Request.Headers["X-Forwarded-For"];
        for (var h = forwarded.Count - 1; h >= 0; h--)
        {
            var hops = (forwarded[h] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            for (var i = hops.Length - 1; i >= 0; i--)
            {
                if (!IPAddress.TryParse(hops[i], out var hop))
                {
                    // A hop nobody could have written honestly: trust nothing further left.
                    return client;
                }

                client = Plain(hop)!;
                if (!IsTrusted(client, trustedProxies))
                {
                    return client;
                }
            }
        }

        return client;
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyList<IPNetwork> trustedProxies)
    {
        foreach (var network in trustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress? Plain(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
