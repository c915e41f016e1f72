namespace Streaming.Operator.Counting;

/// <summary>
/// A span the view counts over, aligned to its buckets: the last hour is the current minute and the 59
/// before it, the last day the current hour and the 23 before it, the last 7 days the current hour and
/// the 167 before it. The names are what <c>?window=</c> and the metrics' <c>window</c> tag take.
/// </summary>
public sealed record Window(string Name, string Title, TimeSpan Bucket, int Buckets)
{
    public static readonly Window Hour = new("1h", "last hour", TimeSpan.FromMinutes(1), 60);
    public static readonly Window Day = new("24h", "last 24 hours", TimeSpan.FromHours(1), 24);
    public static readonly Window Week = new("7d", "last 7 days", TimeSpan.FromHours(1), 7 * 24);

    public static IReadOnlyList<Window> All { get; } = [Hour, Day, Week];

    /// <summary>How far back the view reads at start: the longest window, and a margin for records that came late.</summary>
    public static TimeSpan Lookback { get; } = (Week.Bucket * Week.Buckets) + TimeSpan.FromHours(1);

    public static bool TryParse(string? name, out Window window)
    {
        window = All.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase))!;
        return window is not null;
    }

    /// <summary>The start of the oldest bucket inside the window at <paramref name="now"/>.</summary>
    public DateTimeOffset From(DateTimeOffset now) => BucketStart(now, Bucket) - (Bucket * (Buckets - 1));

    public static DateTimeOffset BucketStart(DateTimeOffset at, TimeSpan bucket) => new(at.UtcTicks - (at.UtcTicks % bucket.Ticks), TimeSpan.Zero);
}
