namespace Streaming.Replay;

/// <summary>The tool's own log lines.</summary>
internal static partial class ReplayLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Command} run {RunId}: {Shops}, {From:u} to {To:u}{DryRun}{Resend}")]
    public static partial void Started(ILogger logger, string command, string runId, string shops, DateTimeOffset from, DateTimeOffset to, string dryRun, string resend);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pinterest accepted {Count} event id(s) of the selected shops' ad accounts, by the dispatcher's delivered-id changelog")]
    public static partial void Accepted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The delivered-id entry at {Source} cannot be read and is left out (its id counts as not accepted; the dispatcher's store still decides): {Error}")]
    public static partial void UnreadableDelivered(ILogger logger, string source, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Topic}: {Records} record(s) to read from {Partitions} partition(s); start offsets by {Paths}")]
    public static partial void Ranges(ILogger logger, string topic, long records, int partitions, string paths);
}
