using System.Globalization;
using System.Text;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>Reads the body of Pinterest's answer, never more than a number of bytes.</summary>
public static class AnswerBody
{
    private const int Chunk = 16 * 1024;

    /// <summary>
    /// The body as text, or, when it is longer than <paramref name="maxBytes"/> (as declared, or as read),
    /// a note saying so: not JSON, so what follows treats it as an unreadable answer. At most
    /// <paramref name="maxBytes"/> + 1 bytes are read.
    /// </summary>
    public static async Task<string> ReadAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var read = new MemoryStream();
        var buffer = new byte[Chunk];
        while (read.Length <= maxBytes)
        {
            // One byte past the limit tells a body of exactly the limit from a longer one.
            var wanted = (int)Math.Min(buffer.Length, maxBytes + 1 - read.Length);
            var count = await stream.ReadAsync(buffer.AsMemory(0, wanted), cancellationToken);
            if (count == 0)
            {
                return Encoding.UTF8.GetString(read.GetBuffer(), 0, (int)read.Length);
            }

            read.Write(buffer, 0, count);
        }

        return TooLarge(maxBytes);
    }

    private static string TooLarge(int maxBytes) => string.Create(
        CultureInfo.InvariantCulture, $"The answer was larger than Pinterest:MaxAnswerBytes ({maxBytes} bytes) and was not read.");
}
