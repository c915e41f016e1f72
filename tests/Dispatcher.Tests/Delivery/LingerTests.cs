namespace Streaming.Dispatcher.Tests.Delivery;

public sealed class LingerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void A_fresh_event_gathers_only_what_is_left_of_the_linger_since_it_was_written()
    {
        var written = Now - TimeSpan.FromMilliseconds(30);

        Assert.Equal(TimeSpan.FromMilliseconds(170), LaneInbox.RemainingLinger(written, Now, Linger));
    }

    [Fact]
    public void An_event_from_a_backlog_gathers_a_whole_linger_so_that_catching_up_fills_requests()
    {
        var written = Now - TimeSpan.FromMinutes(5);

        Assert.Equal(Linger, LaneInbox.RemainingLinger(written, Now, Linger));
    }

    [Fact]
    public void A_write_time_ahead_of_this_clock_never_stretches_the_linger()
    {
        var written = Now + TimeSpan.FromSeconds(3);

        Assert.Equal(Linger, LaneInbox.RemainingLinger(written, Now, Linger));
    }

    [Fact]
    public void A_fresh_event_of_a_quiet_ad_account_goes_at_once_or_after_what_is_left_of_its_shorter_linger()
    {
        var written = Now - TimeSpan.FromMilliseconds(30);

        Assert.Equal(TimeSpan.Zero, LaneInbox.Gathering(written, Now, Linger, () => TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMilliseconds(20), LaneInbox.Gathering(written, Now, Linger, () => TimeSpan.FromMilliseconds(50)));
        Assert.Equal(TimeSpan.Zero, LaneInbox.Gathering(written, Now, Linger, () => TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public void An_event_from_a_backlog_gathers_the_whole_configured_linger_whatever_the_rate_says()
    {
        var written = Now - TimeSpan.FromSeconds(5);

        Assert.Equal(Linger, LaneInbox.Gathering(written, Now, Linger, () => TimeSpan.Zero));
    }
}
