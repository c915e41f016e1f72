using Confluent.Kafka;

namespace Streaming.Enricher.Tasks;

/// <summary>
/// A task's stream time: the newest record timestamp of its partition that no input can still undercut,
/// and the newest timestamp seen on each of its inputs (the topic partitions of its number).
/// </summary>
public sealed class StreamClock
{
    private readonly Dictionary<TopicPartition, long> _inputTime = [];
    private long? _streamTime;

    /// <summary>Zero until the first record.</summary>
    public long Now => _streamTime ?? 0;

    /// <summary>
    /// Moves stream time with a record at <paramref name="at"/> of <paramref name="input"/>, no further
    /// than an input of the partition that has no more records in this batch but unread ones on the
    /// broker (<paramref name="lagging"/>, with <paramref name="left"/> records left in the batch per
    /// topic). Its next record is no older than the last one it gave, so a session still unread there
    /// cannot be overtaken by the end of a grace period counted on the other input. An input with records
    /// left in the batch is no bound: the batch is merged by timestamp, so they are not older than
    /// <paramref name="at"/>.
    /// </summary>
    public long Advance(TopicPartition input, long at, IReadOnlyCollection<TopicPartition> lagging, IReadOnlyDictionary<string, int> left)
    {
        _inputTime[input] = Math.Max(_inputTime.GetValueOrDefault(input, long.MinValue), at);
        var candidate = at;
        foreach (var other in lagging)
        {
            if (left.GetValueOrDefault(other.Topic) == 0)
            {
                candidate = Math.Min(candidate, _inputTime.GetValueOrDefault(other, long.MinValue));
            }
        }

        _streamTime = _streamTime is { } seen ? Math.Max(seen, candidate) : candidate;
        return _streamTime.Value;
    }

    /// <summary>An input assigned anew or handed away: what it gave before says nothing about what it gives next.</summary>
    public void Forget(TopicPartition input) => _inputTime.Remove(input);
}
