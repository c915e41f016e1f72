using System.Text.RegularExpressions;

namespace Streaming.Operator.Counting;

/// <summary>
/// Masks what could identify a shopper in a message shown on the page: Pinterest may quote a value it
/// refused (an IP address, an e-mail), and the page shows hashed values only. Hashes, ids and the rest of
/// the message stay, so the reason can still be read.
/// </summary>
public static partial class Redaction
{
    public const string Mask = "[redacted]";

    public static string Text(string text) => Ipv6().Replace(Ipv4().Replace(Email().Replace(text, Mask), Mask), Mask);

    [GeneratedRegex(@"[^\s@'""<>()\[\],;:]+@[^\s@'""<>()\[\],;:]+")]
    private static partial Regex Email();

    [GeneratedRegex(@"\b(?:\d{1,3}\.){3}\d{1,3}\b")]
    private static partial Regex Ipv4();

    // Four groups or more, or the :: shorthand: a time of day (18:26:25) is no address.
    [GeneratedRegex(@"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}(?![\w:])|(?<![\w:])(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?(?![\w:])")]
    private static partial Regex Ipv6();
}
