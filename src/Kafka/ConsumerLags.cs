using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Streaming.Contracts;

namespace Streaming.Kafka;

/// <summary>
/// <c>pipeline.consumer.lag</c>: the records of each topic a consumer group's member has not read yet,
/// by group and topic, summed over the partitions this process owns (Prometheus sums the members). One
/// gauge per process, fed by the reading kernel of each group member that joins here.
/// </summary>
public sealed class ConsumerLags
{
    private readonly ConcurrentDictionary<ConsumerLag, byte> _members = new();

    public ConsumerLags(PipelineTelemetry telemetry) =>
        telemetry.Observe(
            "pipeline.consumer.lag",
            "{record}",
            "Records of the topic the consumer group has not read yet, on the partitions this process owns (high watermark of the last fetch minus position), by group and topic.",
            Read);

    /// <summary>A group member's share of the gauge, reported until it is disposed.</summary>
    public ConsumerLag Member(string group)
    {
        var member = new ConsumerLag(group, this);
        _members[member] = 0;
        return member;
    }

    internal void Leave(ConsumerLag member) => _members.TryRemove(member, out _);

    private IEnumerable<Measurement<long>> Read() => _members.Keys.SelectMany(m => m.Measurements);
}

/// <summary>What one group member last measured; written on its polling thread, read when metrics are collected.</summary>
public sealed class ConsumerLag : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly ConsumerLags _owner;
    private volatile Measurement<long>[] _measurements = [];
    private DateTime _due;

    internal ConsumerLag(string group, ConsumerLags owner)
    {
        Group = group;
        _owner = owner;
    }

    public string Group { get; }

    internal IReadOnlyList<Measurement<long>> Measurements => _measurements;

    /// <summary>Measures again when a second has passed since the last time: often enough for a gauge, rarely enough to cost nothing.</summary>
    internal void MeasureWhenDue(BacklogProbe backlog, IConsumer<byte[]?, byte[]> consumer)
    {
        if (DateTime.UtcNow >= _due)
        {
            _due = DateTime.UtcNow + Interval;
            Update(backlog.Unread(consumer));
        }
    }

    /// <summary>Sums the partitions whose count is known; a topic none of whose partitions is known yet is left out.</summary>
    internal void Update(IReadOnlyDictionary<TopicPartition, long?> unread) =>
        _measurements = unread
            .Where(u => u.Value is not null)
            .GroupBy(u => u.Key.Topic, u => u.Value!.Value)
            .Select(t => new Measurement<long>(t.Sum(), new KeyValuePair<string, object?>("group", Group), new KeyValuePair<string, object?>("topic", t.Key)))
            .ToArray();

    public void Dispose() => _owner.Leave(this);
}
