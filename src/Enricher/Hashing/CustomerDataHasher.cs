using System.Security.Cryptography;
using System.Text;

namespace Streaming.Enricher.Hashing;

/// <summary>Normalizes customer data the way Pinterest matches it, then hashes it with SHA-256 (lowercase hex).</summary>
public static class CustomerDataHasher
{
    /// <summary>Trimmed and lowercased, as Pinterest's <c>em</c> asks; null when there is no address.</summary>
    public static string? NormalizeEmail(string? email)
    {
        var normalized = email?.Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(normalized) ? null : normalized;
    }

    public static string Sha256Hex(string normalized) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));

    /// <summary>Hashes of the distinct, normalized addresses, in the order given.</summary>
    public static List<string> HashEmails(params string?[] emails) =>
        emails.Select(NormalizeEmail).OfType<string>().Distinct(StringComparer.Ordinal).Select(Sha256Hex).ToList();
}
