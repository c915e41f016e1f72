using System.Globalization;

namespace Streaming.Operator.Pages;

/// <summary>How figures read on the page: counts with separators, shares in whole percent, delays to the second (the shop's own times have no finer grain).</summary>
public static class Format
{
    public const string None = "—";

    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Share(long part, long whole) => whole == 0 ? None : $"{Math.Round(100.0 * part / whole, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture)} %";

    public static double? Ratio(long part, long whole) => whole == 0 ? null : (double)part / whole;

    public static string Delay(double? seconds)
    {
        if (seconds is not { } value)
        {
            return None;
        }

        if (value < 1)
        {
            return "<1 s";
        }

        var whole = (long)Math.Round(value);
        return whole switch
        {
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{whole} s"),
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{whole / 60} min {whole % 60:00} s"),
            < 172_800 => string.Create(CultureInfo.InvariantCulture, $"{whole / 3600.0:0.0} h"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{whole / 86_400.0:0.0} d"),
        };
    }

    public static string Time(DateTime at) => at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset at) => Time(at.UtcDateTime);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Milliseconds(long ms) => ms < 1000 ? $"{ms.ToString(CultureInfo.InvariantCulture)} ms" : $"{(ms / 1000.0).ToString("0.0", CultureInfo.InvariantCulture)} s";
}
