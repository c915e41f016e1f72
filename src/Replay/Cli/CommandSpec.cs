using Streaming.Kafka.Topics;

namespace Streaming.Replay.Cli;

/// <summary>What sets one command apart: its topics, its own checks, and its work.</summary>
/// <param name="DefaultTopics">The topic names read when <c>--topic</c> is not given.</param>
/// <param name="AllowedTopics">The topic names <c>--topic</c> may name.</param>
/// <param name="Check">A problem with the request that only this command has, or null.</param>
public sealed record CommandSpec(
    string Name,
    Func<TopicsOptions, IReadOnlyList<string>> DefaultTopics,
    Func<TopicsOptions, IReadOnlyList<string>> AllowedTopics,
    Func<ReplayRequest, TopicsOptions, string?> Check,
    Func<ReplayContext, Task> Run)
{
    public IReadOnlyList<string> Reasons { get; init; } = [];

    public string? Lookback { get; init; }

    public bool NeedsAdminToken { get; init; }
}
