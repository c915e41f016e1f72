using System.Security.Cryptography;
using System.Text;

namespace Streaming.Ingest.Webhooks;

/// <summary>Shopify's webhook signature: base64 HMAC-SHA256 of the raw body, keyed with the shop's secret.</summary>
public static class WebhookSignature
{
    /// <summary>True when <paramref name="header"/> signs <paramref name="body"/> with any of <paramref name="secrets"/>.</summary>
    public static bool Matches(ReadOnlySpan<byte> body, string header, IEnumerable<string> secrets)
    {
        Span<byte> claimed = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(header, claimed, out var written) || written != HMACSHA256.HashSizeInBytes)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var matched = false;
        foreach (var secret in secrets)
        {
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, actual);
            // Every secret is tried, matched or not, so the time taken says nothing about which one fits.
            matched |= CryptographicOperations.FixedTimeEquals(actual, claimed);
        }

        return matched;
    }

    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
