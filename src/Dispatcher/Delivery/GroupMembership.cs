using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// Whether this dispatcher can still count on owning its partitions: it has heard from the group's
/// coordinator recently. The coordinator fences a member it has not heard from for its session timeout
/// (45 s by default) and gives that member's partitions to another. Under the consumer protocol (KIP-848)
/// the member learns this only when it reaches the coordinator again. A dispatcher cut off from the
/// coordinator, but not from Pinterest, would keep sending events that the new owner sends too. So no
/// request starts once the coordinator has been silent for <see cref="DispatcherOptions.MembershipDoubtAfter"/>.
/// The events wait in their lane, unfinished, until it answers again or the partitions are revoked or lost.
/// </summary>
/// <remarks>
/// The signal is librdkafka's statistics: the logical <c>GroupCoordinator</c> broker's <c>rxidle</c>, the
/// time since anything was received from the coordinator. Heartbeat answers (every few seconds) and
/// commit answers keep it low. A silent network path shows here as it grows, long before the socket
/// timeout (60 s) would close the connection.
/// </remarks>
public sealed class GroupMembership(IOptions<DispatcherOptions> options, TimeProvider clock)
{
    /// <summary>How often the consumer reports its statistics; the doubt comes at most this much late.</summary>
    public static readonly TimeSpan StatisticsInterval = TimeSpan.FromSeconds(1);

    private long _lastHeard = clock.GetUtcNow().UtcTicks;

    /// <summary>When the coordinator was last heard from, as the latest statistics tell.</summary>
    public DateTimeOffset LastHeard => new(Interlocked.Read(ref _lastHeard), TimeSpan.Zero);

    /// <summary>True while the coordinator has answered within the doubt window.</summary>
    public bool Confirmed => clock.GetUtcNow() - LastHeard < options.Value.MembershipDoubtAfter;

    /// <summary>Reads one statistics report (librdkafka's JSON); a report without a coordinator changes nothing.</summary>
    public void Observe(string statistics)
    {
        using var document = JsonDocument.Parse(statistics);
        if (!document.RootElement.TryGetProperty("brokers", out var brokers) || brokers.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var broker in brokers.EnumerateObject())
        {
            if (!broker.Name.StartsWith("GroupCoordinator", StringComparison.Ordinal)
                || !broker.Value.TryGetProperty("rxidle", out var rxidle)
                || !rxidle.TryGetInt64(out var microseconds)
                || microseconds < 0)
            {
                continue;
            }

            var heard = clock.GetUtcNow() - TimeSpan.FromTicks(microseconds * 10);
            if (heard.UtcTicks > Interlocked.Read(ref _lastHeard))
            {
                Interlocked.Exchange(ref _lastHeard, heard.UtcTicks);
            }
        }
    }

    /// <summary>Throws when the coordinator has been silent too long: the lane then waits and tries again.</summary>
    public void EnsureConfirmed()
    {
        if (!Confirmed)
        {
            throw new MembershipInDoubtException(clock.GetUtcNow() - LastHeard, options.Value.MembershipDoubtAfter);
        }
    }
}

/// <summary>No request starts: the group's coordinator has not been heard from for too long.</summary>
public sealed class MembershipInDoubtException(TimeSpan silent, TimeSpan doubtAfter)
    : Exception($"The group coordinator has not been heard from for {silent.TotalSeconds:0} s (Dispatcher:MembershipDoubtAfter is {doubtAfter.TotalSeconds:0} s): this dispatcher's partitions may belong to another member by now, so nothing is sent until the coordinator answers again.");
