using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Streaming.Ingest.Requests;

/// <summary>Makes request values fit for a log line: anything a caller sent could be forged to look like something else.</summary>
public static class LogSafe
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
