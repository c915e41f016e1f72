using Confluent.Kafka;
using Streaming.Kafka;

namespace Streaming.Operator.Reading;

/// <summary>
/// How far the start-up read has come: the view is complete once every partition is read up to the end
/// it had when reading began. Until then <c>/readyz</c> says so, and the page says the figures are partial.
/// </summary>
public sealed class Rebuild(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private Dictionary<TopicPartition, long> _behind = [];
    private DateTimeOffset? _startedAt;
    private long _records;

    public DateTimeOffset? CaughtUpAt { get; private set; }

    public long Records => Interlocked.Read(ref _records);

    public bool Done => CaughtUpAt is not null;

    public string Describe()
    {
        lock (_gate)
        {
            return CaughtUpAt is { } at
                ? $"Caught up at {at:u}; {Records} record(s) read, following the topics live."
                : _startedAt is null
                    ? "Finding where the last 7 days start on the topics."
                    : $"Rebuilding: {Records} record(s) read, {_behind.Count} partition(s) still behind the end they had at start.";
        }
    }

    public void Started(IEnumerable<PartitionRange> ranges)
    {
        lock (_gate)
        {
            _startedAt = clock.GetUtcNow();
            _behind = ranges.Where(r => r.End > r.Start).ToDictionary(r => r.Partition, r => r.End);
            CatchUpWhenNoneBehind();
        }
    }

    public void Read() => Interlocked.Increment(ref _records);

    /// <summary>Drops the partitions whose next offset reached their end; the consumer's position skips what is not a record.</summary>
    public void Check(Func<TopicPartition, long> position)
    {
        lock (_gate)
        {
            if (Done || _startedAt is null)
            {
                return;
            }

            foreach (var (partition, end) in _behind.ToList())
            {
                if (position(partition) >= end)
                {
                    _behind.Remove(partition);
                }
            }

            CatchUpWhenNoneBehind();
        }
    }

    public TimeSpan Took => (CaughtUpAt ?? clock.GetUtcNow()) - (_startedAt ?? clock.GetUtcNow());

    private void CatchUpWhenNoneBehind()
    {
        if (_behind.Count == 0)
        {
            CaughtUpAt = clock.GetUtcNow();
        }
    }
}
