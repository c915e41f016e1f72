using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Streaming.Kafka.Reading;

/// <summary>
/// What a reader says over its life about the partitions it reads: that it started, was assigned
/// partitions, gave them up in a clean hand-over, lost them, and stopped. Every reader says it in the same
/// words, because operators, alerts and the topology tests look for these lines ("gave up", "without a
/// clean hand-over", "stopped reading") whichever process wrote them.
/// </summary>
public sealed partial class ReaderLifecycle(ILogger logger, string service)
{
    /// <summary>A group member starts reading; <paramref name="groupInstanceId"/> null: a dynamic member.</summary>
    public void Started(string topics, string groupId, string? groupInstanceId) =>
        LogStarted(service, topics, groupId, groupInstanceId ?? "none (dynamic)");

    public void Assigned(IEnumerable<TopicPartition> partitions) => LogAssigned(service, Describe(partitions));

    public void Revoked(IEnumerable<TopicPartition> partitions) => LogRevoked(service, Describe(partitions));

    public void Lost(IEnumerable<TopicPartition> partitions) => LogLost(service, Describe(partitions));

    /// <summary>The reader stopped; <paramref name="committed"/>: the offsets of what it finished are committed (a reader outside any group commits nothing).</summary>
    public void Stopped(string topics, bool committed)
    {
        if (committed)
        {
            LogStoppedCommitted(service, topics);
        }
        else
        {
            LogStopped(service, topics);
        }
    }

    /// <summary>Partitions as a log line names them: <c>topic[partition]</c>, comma-separated.</summary>
    public static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(", ", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} reads {Topic} as group {GroupId}, static member {GroupInstanceId}")]
    private partial void LogStarted(string service, string topic, string groupId, string groupInstanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} was assigned {Partitions}")]
    private partial void LogAssigned(string service, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} gave up {Partitions}")]
    private partial void LogRevoked(string service, string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} lost {Partitions} without a clean hand-over; their unfinished records are dropped here and read again by the new owner")]
    private partial void LogLost(string service, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} stopped reading {Topic}; the offsets of finished records are committed")]
    private partial void LogStoppedCommitted(string service, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} stopped reading {Topic}; it commits nothing")]
    private partial void LogStopped(string service, string topic);
}
