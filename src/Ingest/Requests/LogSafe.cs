using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Streaming.Ingest.Requests;

/// <summary>Makes request values fit for a log line: anything a caller sent could be forged to look like something else.</summary>
public static partial class LogSafe
{
    private const int MaxLength = 120;

    /// <summary>Printable ASCII only, so that control sequences (ESC[31m, new lines) never reach a terminal or a log parser.</summary>
    public static string Text(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }

        var text = new StringBuilder(Math.Min(value.Length, MaxLength));
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, MaxLength)))
        {
            text.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return value.Length > MaxLength ? text.Append('…').ToString() : text.ToString();
    }

    /// <summary>
    /// A shop domain from an unverified header: itself when it has the shape of a myshopify.com domain,
    /// else a placeholder, so that whatever else a caller put there (an e-mail, a name) stays out of the log.
    /// </summary>
    public static string ShopDomain(string? value) =>
        value is not null && ShopDomainShape().IsMatch(value) ? value : "(not a myshopify.com domain)";

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,99}\.myshopify\.com$")]
    private static partial System.Text.RegularExpressions.Regex ShopDomainShape();

    /// <summary>An IP address with its host part cut off (IPv4 /24, IPv6 /48): enough to tell networks apart, not people.</summary>
    public static string Network(IPAddress? address)
    {
        if (address is null)
        {
            return "(unknown)";
        }

        var bytes = address.GetAddressBytes();
        var keep = address.AddressFamily == AddressFamily.InterNetwork ? 3 : 6;
        Array.Clear(bytes, keep, bytes.Length - keep);
        return $"{new IPAddress(bytes)}/{keep * 8}";
    }
}
