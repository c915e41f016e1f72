using System.Globalization;
using System.Text.RegularExpressions;

namespace Streaming.Replay.Cli;

/// <summary>
/// A <c>--from</c> or <c>--to</c> value: <c>now</c>, a time relative to now (<c>-2d</c>, <c>-36h</c>,
/// <c>-90m</c>, <c>-1w</c>), or an ISO-8601 date or time (<c>2026-11-20</c>, <c>2026-11-20T08:00:00Z</c>;
/// a time without an offset is UTC).
/// </summary>
public static partial class TimeBound
{
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset value, out string? error)
    {
        text = text.Trim();
        error = null;
        if (text.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            value = now;
            return true;
        }

        if (Relative().Match(text) is { Success: true } match)
        {
            var amount = long.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
            var unit = match.Groups["unit"].Value;
            var span = unit switch
            {
                "w" => TimeSpan.FromDays(7 * amount),
                "d" => TimeSpan.FromDays(amount),
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromSeconds(amount),
            };
            value = now - span;
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value)
            && Iso().IsMatch(text))
        {
            return true;
        }

        error = $"'{text}' is not a time: give an ISO-8601 date or time (2026-11-20, 2026-11-20T08:00:00Z), 'now', or a time before now such as -2d, -36h, -90m or -1w.";
        value = default;
        return false;
    }

    [GeneratedRegex(@"^-(?<amount>\d{1,6})(?<unit>[wdhms])$")]
    private static partial Regex Relative();

    // DateTimeOffset.TryParse also takes "11/20/2026" or "Friday": only ISO-8601 shapes are meant here.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?)?$")]
    private static partial Regex Iso();
}
