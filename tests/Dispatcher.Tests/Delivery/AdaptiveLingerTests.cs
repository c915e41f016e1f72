namespace Streaming.Dispatcher.Tests.Delivery;

public sealed class AdaptiveLingerTests
{
    private const int Budget = 5000;
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(200);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(60, 0)] // one event a second
    [InlineData(2400, 0)] // 20 orders a second (40 events): under half the budget
    [InlineData(2500, 0)] // exactly half
    [InlineData(3750, 100)] // three quarters: half way from half the budget to the whole of it
    [InlineData(4500, 160)]
    [InlineData(5000, 200)] // the budget
    [InlineData(180_000, 200)] // 3,000 events a second: requests fill up to 1,000
    public void The_linger_grows_with_the_rate_from_nothing_to_the_configured_one(double eventsPerMinute, double expectedMs)
    {
        Assert.Equal(expectedMs, AdaptiveLinger.Of(eventsPerMinute, Budget, Linger).TotalMilliseconds, precision: 2);
    }

    [Fact]
    public void A_rate_not_known_yet_gathers_the_whole_linger()
    {
        Assert.Equal(Linger, AdaptiveLinger.Of(null, Budget, Linger));
    }

    [Fact]
    public void The_linger_never_passes_the_configured_one_nor_shrinks_as_the_rate_rises()
    {
        var previous = TimeSpan.Zero;
        for (var rate = 0; rate <= 4 * Budget; rate += 50)
        {
            var linger = AdaptiveLinger.Of(rate, Budget, Linger);
            Assert.InRange(linger, previous, Linger);
            previous = linger;
        }
    }

    [Fact]
    public void The_arrival_rate_is_unknown_for_a_window_then_counts_the_last_window()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 5, 3, 0, 0, TimeSpan.Zero));
        var rate = new ArrivalRate(clock);
        for (var i = 0; i < 20; i++)
        {
            rate.Arrived();
            clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.Null(rate.PerMinute());

        // 20 events a second for two seconds: 1,200 a minute.
        for (var i = 0; i < 40; i++)
        {
            rate.Arrived();
            clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.InRange(rate.PerMinute()!.Value, 1100, 1300);

        // Quiet for a whole window: nothing counted any more.
        clock.Advance(ArrivalRate.Window);
        Assert.Equal(0, rate.PerMinute());
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
