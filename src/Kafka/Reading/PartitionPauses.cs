using Confluent.Kafka;

namespace Streaming.Kafka.Reading;

/// <summary>Why a partition is paused. Several may hold at once; it is fetched again when none does.</summary>
[Flags]
public enum PauseReason
{
    None = 0,

    /// <summary>A record of it waits to be decoded or dead-lettered (the registry does not answer).</summary>
    RecordWaits = 1,

    /// <summary>Its reader is not ready for it yet (its state could not be restored: a topic is missing).</summary>
    NotPrepared = 2,

    /// <summary>The application retries a batch that holds its records.</summary>
    BatchRetry = 4,

    /// <summary>The application has enough of its records in hand.</summary>
    Throttled = 8,

    /// <summary>Everything the application wants of it is read.</summary>
    Finished = 16,
}

/// <summary>
/// The one owner of a consumer's pause flags. Pausing for one reason and resuming for another must not
/// wake a partition that still has a reason to wait, so every pause and resume goes through here.
/// </summary>
public sealed class PartitionPauses(IConsumer<byte[]?, byte[]> consumer)
{
    private readonly Dictionary<TopicPartition, PauseReason> _reasons = [];

    public void Pause(IEnumerable<TopicPartition> partitions, PauseReason reason)
    {
        var now = new List<TopicPartition>();
        foreach (var partition in partitions)
        {
            var before = _reasons.GetValueOrDefault(partition);
            _reasons[partition] = before | reason;
            if (before == PauseReason.None)
            {
                now.Add(partition);
            }
        }

        if (now.Count > 0)
        {
            consumer.Pause(now);
        }
    }

    public void Resume(IEnumerable<TopicPartition> partitions, PauseReason reason)
    {
        var now = new List<TopicPartition>();
        foreach (var partition in partitions)
        {
            if (!_reasons.TryGetValue(partition, out var before))
            {
                continue;
            }

            var after = before & ~reason;
            if (after == PauseReason.None)
            {
                _reasons.Remove(partition);
                now.Add(partition);
            }
            else
            {
                _reasons[partition] = after;
            }
        }

        ResumeOnConsumer(now);
    }

    public bool IsPaused(TopicPartition partition, PauseReason reason) => (_reasons.GetValueOrDefault(partition) & reason) != 0;

    /// <summary>The partitions paused for <paramref name="reason"/>.</summary>
    public List<TopicPartition> PausedFor(PauseReason reason) => [.. _reasons.Where(r => (r.Value & reason) != 0).Select(r => r.Key)];

    /// <summary>
    /// Partitions that leave this member: their flags go, since the pause flag would outlive the revocation
    /// and silence the partition when it comes back.
    /// </summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        var paused = partitions.Where(_reasons.Remove).ToList();
        ResumeOnConsumer(paused);
    }

    private void ResumeOnConsumer(List<TopicPartition> partitions)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Resume(partitions);
        }
        catch (KafkaException)
        {
            // Not assigned any more: nothing is fetched for it anyway, and its next assignment starts unpaused.
        }
    }
}
