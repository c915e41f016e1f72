using System.Net.Sockets;

namespace Streaming.Ingest.Tests;

/// <summary>A raw TCP client that announces a body, sends part of it, and stalls.</summary>
internal sealed class StallingSender : IDisposable
{
    /// <summary>A signature that is valid base64 of 32 bytes, but of nothing.</summary>
    public const string BogusSignature = "bm90LWEtcmVhbC1zaWduYXR1cmUtYXQtYWxsLW5vLW5vLW5v";

    private readonly Socket _socket;

    private StallingSender(Socket socket) => _socket = socket;

    public static async Task<StallingSender> StartAsync(Uri ingest, int announced, int sent, string shop = TestSettings.Shop, string path = "/webhooks/shopify")
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(ingest.Host, ingest.Port);
        var head = Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {ingest.Authority}\r\nContent-Type: application/json\r\nContent-Length: {announced}\r\n" +
            $"X-Shopify-Topic: orders/create\r\nX-Shopify-Shop-Domain: {shop}\r\nX-Shopify-Webhook-Id: {Guid.NewGuid()}\r\n" +
            $"X-Shopify-Hmac-Sha256: {BogusSignature}\r\n\r\n");
        await socket.SendAsync(head);
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'x');
        try
        {
            for (var left = sent; left > 0; left -= chunk.Length)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.SendAsync(chunk.AsMemory(0, Math.Min(left, chunk.Length)), timeout.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // Answered (503) and closed, or pushed back: either way the server stopped taking bytes.
        }

        return new StallingSender(socket);
    }

    /// <summary>The status code of the answer, or 0 when none came in time.</summary>
    public async Task<int> ReadStatusAsync(TimeSpan within)
    {
        var buffer = new byte[64];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            var read = await _socket.ReceiveAsync(buffer, timeout.Token);
            var line = Encoding.ASCII.GetString(buffer, 0, read);
            return line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(line.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture) : 0;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return 0;
        }
    }

    /// <summary>
    /// What a caller could tell apart in the answer: status, whether the connection closes, the problem's
    /// title and detail (not its trace id, which differs for every request).
    /// </summary>
    public async Task<string> ReadAnswerAsync(TimeSpan within)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            int read;
            while (!IsComplete(received) && (read = await _socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            {
                received.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // Reset after the answer, or no answer in time: what arrived is what there is.
        }

        var text = Encoding.UTF8.GetString([.. received]);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (split < 0)
        {
            return $"no complete answer: '{text}'";
        }

        var lines = text[..split].Split("\r\n");
        var close = lines.Any(l => l.Equals("Connection: close", StringComparison.OrdinalIgnoreCase));
        if (Body(lines, text[(split + 4)..]) is not { } body)
        {
            return $"no complete answer: '{text}'";
        }

        var problem = JsonDocument.Parse(body).RootElement;
        return $"{lines[0]} close={close} title={problem.GetProperty("title")} detail={problem.GetProperty("detail")}";
    }

    private static bool IsComplete(List<byte> received)
    {
        var text = Encoding.ASCII.GetString([.. received]);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return split >= 0 && Body(text[..split].Split("\r\n"), text[(split + 4)..]) is not null;
    }

    /// <summary>The body once it is complete, by Content-Length or in chunks; else null.</summary>
    private static string? Body(string[] head, string rest)
    {
        if (head.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } length)
        {
            var size = int.Parse(length.AsSpan(15).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            return rest.Length >= size ? rest[..size] : null;
        }

        var body = new StringBuilder();
        while (rest.IndexOf("\r\n", StringComparison.Ordinal) is var end and > 0)
        {
            var size = int.Parse(rest.AsSpan(0, end), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return body.ToString();
            }

            if (rest.Length < end + 2 + size + 2)
            {
                return null;
            }

            body.Append(rest, end + 2, size);
            rest = rest[(end + 2 + size + 2)..];
        }

        return null;
    }

    public void Dispose() => _socket.Dispose();
}
