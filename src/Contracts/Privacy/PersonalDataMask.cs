using System.Text.RegularExpressions;

namespace Streaming.Contracts;

/// <summary>
/// Masks what could identify a shopper in a text others quote back: Pinterest's error messages repeat the
/// values they refused (an IP address, an e-mail, a hashed e-mail), and those messages end up in logs,
/// delivery records, dead letters and on the operator page. The dispatcher masks before anything is
/// written; the operator page masks again what older records still carry. Times, ids and the rest of the
/// message stay, so the reason can still be read.
/// </summary>
public static partial class PersonalDataMask
{
    public const string Mask = "[redacted]";

    /// <summary>
    /// <paramref name="text"/> with e-mail addresses, IPv4 and IPv6 addresses, phone numbers and SHA-256
    /// hashes (64 hex digits) replaced by <see cref="Mask"/>.
    /// </summary>
    public static string Apply(string text)
    {
        // Hashes first, so that no other pattern takes a piece of one; addresses before phone numbers,
        // so that an IPv4 address is never read as digits separated by dots.
        var masked = Sha256Hex().Replace(text, Mask);
        masked = Email().Replace(masked, Mask);
        masked = Ipv4().Replace(masked, Mask);
        masked = Ipv6().Replace(masked, Mask);
        return Phone().Replace(masked, Mask);
    }

    [GeneratedRegex(@"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")]
    private static partial Regex Sha256Hex();

    [GeneratedRegex(@"[^\s@'""<>()\[\],;:]+@[^\s@'""<>()\[\],;:]+")]
    private static partial Regex Email();

    [GeneratedRegex(@"\b(?:\d{1,3}\.){3}\d{1,3}\b")]
    private static partial Regex Ipv4();

    // Four groups or more, or the :: shorthand: a time of day (18:26:25) is no address.
    [GeneratedRegex(@"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}(?![\w:])|(?<![\w:])(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?(?![\w:])")]
    private static partial Regex Ipv6();

    // A number as a person writes a phone number: with a leading + (E.164, as Shopify stores them), or in
    // groups of digits split by spaces, dots, dashes or an area code in brackets. A bare run of digits
    // stays: order ids, ad account ids and Unix times are bare runs, and the reason needs them. Dates
    // (2026-11-28) have a group of two where a phone number has three or four.
    [GeneratedRegex(@"(?<![\w+.\-])(?:\+\d(?:[ .\-()]{0,2}\d){6,14}|\(?\d{2,5}\)?[ .\-]\d{3,4}[ .\-]\d{3,5})(?![\w\-]|\.\d)")]
    private static partial Regex Phone();
}
