using Microsoft.AspNetCore.Http;
using Streaming.Ingest.Storefront;

namespace Streaming.Ingest.Tests.Storefront;

public sealed class ClientAddressTests
{
    private static readonly IReadOnlyList<System.Net.IPNetwork> Proxies = [System.Net.IPNetwork.Parse("10.0.0.0/8"), System.Net.IPNetwork.Parse("fd00::/8")];

    [Theory]
    [InlineData("203.0.113.9", null, "203.0.113.9")]
    [InlineData("203.0.113.9", "198.51.100.7", "203.0.113.9")]
    [InlineData("10.1.2.3", null, "10.1.2.3")]
    [InlineData("10.1.2.3", "198.51.100.7", "198.51.100.7")]
    [InlineData("10.1.2.3", "6.6.6.6, 198.51.100.7", "198.51.100.7")]
    [InlineData("10.1.2.3", "198.51.100.7, 10.9.9.9", "198.51.100.7")]
    [InlineData("10.1.2.3", "10.8.8.8, 10.9.9.9", "10.8.8.8")]
    [InlineData("10.1.2.3", "garbage, 198.51.100.7", "198.51.100.7")]
    [InlineData("10.1.2.3", "198.51.100.7, garbage", "10.1.2.3")]
    [InlineData("10.1.2.3", "2001:db8::1", "2001:db8::1")]
    [InlineData("::ffff:10.1.2.3", "198.51.100.7", "198.51.100.7")]
    [InlineData("::ffff:203.0.113.9", null, "203.0.113.9")]
    [InlineData("fd00::5", "198.51.100.7", "198.51.100.7")]
    public void Forwarded_for_is_believed_only_from_trusted_proxies(string peer, string? forwardedFor, string expected)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        Assert.Equal(IPAddress.Parse(expected), ClientAddress.Resolve(context, Proxies));
    }
}
