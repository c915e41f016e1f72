using Confluent.Kafka;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// Per partition, the records read and not yet finished. The offset that may be stored is the lowest
/// unfinished one (or the next to read when none is): a record finished early, in a fast shop's lane,
/// never lets a slow shop's earlier record be skipped on a restart. Safe to call from any lane.
/// </summary>
public sealed class PartitionProgress
{
    private readonly object _sync = new();
    private readonly Dictionary<TopicPartition, Window> _windows = [];

    public void Started(PendingEvent pending)
    {
        lock (_sync)
        {
            var window = WindowOf(pending.Partition);
            window.Unfinished.Add(pending.Offset, pending);
            window.Offsets.Add(pending.Offset);
            window.Next = Math.Max(window.Next, pending.Offset + 1);
        }
    }

    /// <summary>A record that needs no work (dead-lettered as it was read): only the next offset moves.</summary>
    public void Skipped(TopicPartition partition, long offset)
    {
        lock (_sync)
        {
            var window = WindowOf(partition);
            window.Next = Math.Max(window.Next, offset + 1);
        }
    }

    public void Finished(PendingEvent pending) => Finished([pending]);

    /// <summary>Events whose outcome is written: marked finished, and their offsets let go, under one lock.</summary>
    public void Finished(IEnumerable<PendingEvent> events)
    {
        lock (_sync)
        {
            var any = false;
            foreach (var pending in events)
            {
                pending.Finished = true;
                if (_windows.TryGetValue(pending.Partition, out var window) && window.Unfinished.Remove(pending.Offset))
                {
                    window.Offsets.Remove(pending.Offset);
                    any = true;
                }
            }

            if (any)
            {
                Monitor.PulseAll(_sync);
            }
        }
    }

    /// <summary>
    /// Of <paramref name="events"/>, those still open, their partitions marked as sending: checked and marked
    /// under the lock <see cref="Abandon"/> takes, so that once a hand-over has abandoned a partition and
    /// seen nothing sending, no request for it starts any more (one checked open before and sent after the
    /// hand-over would be accepted after the next owner restored the delivered ids, and sent again by it).
    /// </summary>
    public List<PendingEvent> StartSending(IReadOnlyList<PendingEvent> events)
    {
        lock (_sync)
        {
            var open = events.Where(e => e.Open).ToList();
            Count(open, +1);
            return open;
        }
    }

    /// <summary>The request that carried <paramref name="events"/> (as <see cref="StartSending"/> returned them) is over.</summary>
    public void StopSending(IReadOnlyList<PendingEvent> events)
    {
        lock (_sync)
        {
            Count(events, -1);
            Monitor.PulseAll(_sync);
        }
    }

    private void Count(IEnumerable<PendingEvent> events, int delta)
    {
        foreach (var partition in events.Select(e => e.Partition).Distinct())
        {
            if (_windows.TryGetValue(partition, out var window))
            {
                window.Sending += delta;
            }
        }
    }

    public int Unfinished(TopicPartition partition)
    {
        lock (_sync)
        {
            return _windows.TryGetValue(partition, out var window) ? window.Unfinished.Count : 0;
        }
    }

    /// <summary>The offsets to store: for each partition, where a new owner has to start reading.</summary>
    public List<TopicPartitionOffset> Committable(IEnumerable<TopicPartition>? only = null)
    {
        lock (_sync)
        {
            var result = new List<TopicPartitionOffset>();
            foreach (var (partition, window) in _windows)
            {
                if (only is not null && !only.Contains(partition))
                {
                    continue;
                }

                var offset = window.Offsets.Count > 0 ? window.Offsets.Min : window.Next;
                if (offset > window.Stored)
                {
                    window.Stored = offset;
                    result.Add(new TopicPartitionOffset(partition, offset));
                }
            }

            return result;
        }
    }

    /// <summary>Marks the partitions' unfinished events abandoned: no lane sends them from now on.</summary>
    public void Abandon(IEnumerable<TopicPartition> partitions)
    {
        lock (_sync)
        {
            foreach (var partition in partitions)
            {
                if (_windows.TryGetValue(partition, out var window))
                {
                    foreach (var pending in window.Unfinished.Values)
                    {
                        pending.Abandon();
                    }
                }
            }
        }
    }

    /// <summary>Waits (blocking: the consumer thread, in a rebalance) until no request carries the partitions' events.</summary>
    public bool WaitUntilNotSending(IReadOnlyCollection<TopicPartition> partitions, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        lock (_sync)
        {
            while (partitions.Any(p => _windows.TryGetValue(p, out var w) && w.Sending > 0))
            {
                var left = until - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                Monitor.Wait(_sync, left);
            }

            return true;
        }
    }

    public void Drop(IEnumerable<TopicPartition> partitions)
    {
        lock (_sync)
        {
            var dropped = partitions.ToList();
            Abandon(dropped);
            foreach (var partition in dropped)
            {
                _windows.Remove(partition);
            }
        }
    }

    /// <summary>Unfinished events, for the metrics of what each shop holds.</summary>
    public List<PendingEvent> Snapshot()
    {
        lock (_sync)
        {
            return _windows.Values.SelectMany(w => w.Unfinished.Values).ToList();
        }
    }

    private Window WindowOf(TopicPartition partition)
    {
        if (!_windows.TryGetValue(partition, out var window))
        {
            _windows[partition] = window = new Window();
        }

        return window;
    }

    private sealed class Window
    {
        // A tree for the lowest offset and a table for the events: records finish in any order, and a
        // sorted array would shift thousands of entries for each one that finishes at its front.
        public Dictionary<long, PendingEvent> Unfinished { get; } = [];

        public SortedSet<long> Offsets { get; } = [];

        public long Next { get; set; } = -1;

        public long Stored { get; set; } = -1;

        public int Sending { get; set; }
    }
}
