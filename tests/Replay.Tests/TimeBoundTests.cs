namespace Streaming.Replay.Tests;

public sealed class TimeBoundTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("now", "2026-11-28T12:00:00+00:00")]
    [InlineData("-2d", "2026-11-26T12:00:00+00:00")]
    [InlineData("-36h", "2026-11-27T00:00:00+00:00")]
    [InlineData("-90m", "2026-11-28T10:30:00+00:00")]
    [InlineData("-1w", "2026-11-21T12:00:00+00:00")]
    [InlineData("2026-11-20", "2026-11-20T00:00:00+00:00")]
    [InlineData("2026-11-20T08:00:00Z", "2026-11-20T08:00:00+00:00")]
    [InlineData("2026-11-20T08:00:00+02:00", "2026-11-20T06:00:00+00:00")]
    [InlineData("2026-11-20T08:00", "2026-11-20T08:00:00+00:00")]
    public void Reads_iso_and_relative_times(string text, string expected)
    {
        Assert.True(TimeBound.TryParse(text, Now, out var value, out var error), error);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2d")]
    [InlineData("-2y")]
    [InlineData("11/20/2026")]
    [InlineData("2026-11-31")]
    [InlineData("")]
    public void Refuses_anything_else_with_the_shapes_it_takes(string text)
    {
        Assert.False(TimeBound.TryParse(text, Now, out _, out var error));
        Assert.Contains("-2d", error, StringComparison.Ordinal);
    }
}
