namespace Streaming.Operator.Tests.Counting;

public sealed class WindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 15, 42, 17, TimeSpan.Zero);

    [Theory]
    [InlineData("1h", "2026-11-28T14:43:00Z")]
    [InlineData("24h", "2026-11-27T16:00:00Z")]
    [InlineData("7d", "2026-11-21T16:00:00Z")]
    public void A_window_starts_at_the_oldest_of_its_buckets(string name, string from)
    {
        Assert.True(Window.TryParse(name, out var window));
        Assert.Equal(DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture), window.From(Now));
    }

    [Theory]
    [InlineData("30d")]
    [InlineData("")]
    [InlineData("24")]
    public void Other_window_names_are_refused(string name)
    {
        Assert.False(Window.TryParse(name, out _));
    }

    [Fact]
    public void The_reader_looks_back_past_the_oldest_bucket_of_the_longest_window()
    {
        Assert.True(Now - Window.Lookback < Window.Week.From(Now));
    }

    [Fact]
    public void A_bucket_ring_drops_what_its_slot_held_a_full_ring_earlier_and_refuses_older_records()
    {
        var ring = new BucketRing(TimeSpan.FromMinutes(1), 60);
        ring.At(Now.AddMinutes(-61), "checkout")!.Add(new Records.PinterestDelivery { Status = "processed" });
        ring.At(Now.AddMinutes(-1), "checkout")!.Add(new Records.PinterestDelivery { Status = "processed" });

        var totals = new Dictionary<string, Tally>();
        ring.At(Now.AddMinutes(-1), "checkout")!.Add(new Records.PinterestDelivery { Status = "processed" });
        ring.AddTo(totals, Window.Hour.From(Now), Now);

        Assert.Equal(2, totals["checkout"].Accepted);
        Assert.Null(ring.At(Now.AddMinutes(-61), "checkout"));
    }
}
