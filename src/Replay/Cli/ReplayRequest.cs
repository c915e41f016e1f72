namespace Streaming.Replay.Cli;

/// <summary>What one run of the tool was asked to do, checked and resolved.</summary>
/// <param name="Command">resend, reenrich or backfill: the first part of the replay mark.</param>
/// <param name="Shops">The shops selected (normalized domains); empty: every configured shop.</param>
/// <param name="From">Events (resend, reenrich) or orders (backfill) that happened at or after this.</param>
/// <param name="To">… and at or before this.</param>
/// <param name="Topics">The topic names to read, as configured.</param>
/// <param name="Reasons">Dead-letter reasons to take; empty: every reason.</param>
/// <param name="DryRun">Count only; write nothing.</param>
/// <param name="Resend">Send even what Pinterest already accepted.</param>
/// <param name="Lookback">How far before <paramref name="From"/> re-enrichment starts reading, to rebuild sessions.</param>
/// <param name="MaxRate">Records written per second at most; null: as fast as the cluster takes them.</param>
public sealed record ReplayRequest(
    string Command,
    IReadOnlySet<string> Shops,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<string> Topics,
    IReadOnlySet<string> Reasons,
    bool DryRun,
    bool Resend,
    TimeSpan Lookback,
    double? MaxRate,
    TimeSpan ProgressInterval)
{
    /// <summary>This run's id: when it started, and a few random digits against two runs in one second.</summary>
    public string RunId { get; } = $"{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Random.Shared.Next(0x10000):x4}";

    /// <summary>The replay mark of the records this run writes, for example <c>resend/20261128T151200Z-3f9c</c>.</summary>
    public string Mark => $"{Command}/{RunId}";

    public bool Selects(string shopDomain) => Shops.Count == 0 || Shops.Contains(shopDomain);

    public bool InRange(DateTimeOffset at) => at >= From && at <= To;
}
