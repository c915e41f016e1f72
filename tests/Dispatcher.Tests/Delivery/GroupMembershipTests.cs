using Microsoft.Extensions.Options;

namespace Streaming.Dispatcher.Tests.Delivery;

/// <summary>
/// The fence against sending for partitions another dispatcher may own by now: no request starts once the
/// group's coordinator has been silent past <see cref="DispatcherOptions.MembershipDoubtAfter"/>, as
/// librdkafka's statistics tell it (the logical coordinator broker's <c>rxidle</c>, in microseconds).
/// </summary>
public sealed class GroupMembershipTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_coordinator_heard_from_within_the_window_lets_requests_start()
    {
        var clock = new Clock(Start);
        var membership = Membership(clock);

        clock.Now = Start.AddSeconds(30);
        membership.Observe(Statistics(coordinatorRxIdleSeconds: 3));

        Assert.True(membership.Confirmed);
        membership.EnsureConfirmed();
    }

    [Fact]
    public void A_coordinator_silent_past_the_window_stops_every_request_until_it_answers_again()
    {
        var clock = new Clock(Start);
        var membership = Membership(clock);

        clock.Now = Start.AddSeconds(30);
        membership.Observe(Statistics(coordinatorRxIdleSeconds: 12));

        Assert.False(membership.Confirmed);
        var doubt = Assert.Throws<MembershipInDoubtException>(membership.EnsureConfirmed);
        Assert.Contains("12 s", doubt.Message, StringComparison.Ordinal);

        clock.Now = Start.AddSeconds(31);
        membership.Observe(Statistics(coordinatorRxIdleSeconds: 0.2));
        Assert.True(membership.Confirmed);
    }

    [Fact]
    public void Without_reports_the_silence_counts_from_the_last_one()
    {
        var clock = new Clock(Start);
        var membership = Membership(clock);
        membership.Observe(Statistics(coordinatorRxIdleSeconds: 1));

        clock.Now = Start.AddSeconds(8);
        Assert.True(membership.Confirmed);
        clock.Now = Start.AddSeconds(11);
        Assert.False(membership.Confirmed);
    }

    [Fact]
    public void Brokers_other_than_the_coordinator_and_a_coordinator_never_heard_from_change_nothing()
    {
        var clock = new Clock(Start);
        var membership = Membership(clock);

        clock.Now = Start.AddSeconds(5);
        membership.Observe("""{"brokers":{"127.0.0.1:9092/1":{"rxidle":100},"GroupCoordinator":{"rxidle":-1}}}""");

        Assert.Equal(Start, membership.LastHeard);
    }

    private static GroupMembership Membership(Clock clock) =>
        new(Options.Create(new DispatcherOptions { MembershipDoubtAfter = TimeSpan.FromSeconds(10) }), clock);

    // The shape of librdkafka's statistics (STATISTICS.md), reduced to what is read: brokers by name, with
    // the logical coordinator broker named after the node it points at.
    private static string Statistics(double coordinatorRxIdleSeconds) =>
        """{"name":"dispatcher#consumer-1","brokers":{"127.0.0.1:9092/1":{"name":"127.0.0.1:9092/1","rxidle":50000},"GroupCoordinator/1":{"name":"GroupCoordinator/1","source":"logical","state":"UP","rxidle":"""
        + ((long)(coordinatorRxIdleSeconds * 1_000_000)).ToString(System.Globalization.CultureInfo.InvariantCulture)
        + "}}}";

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
