using Confluent.Kafka;
using Streaming.Kafka;

namespace Streaming.Replay.Kafka;

/// <summary>
/// Reads partition ranges (what was written before the run started, from a time on) with a consumer of
/// its own: assigned by hand, nothing committed, so the pipeline's groups never notice. Partitions of the
/// same number across topics (co-partitioned inputs) come out merged by record timestamp, so a cart's
/// storefront events and webhooks reach the enricher's logic in the order they happened, as they do live.
/// A partition that runs ahead of its sibling is paused, so memory stays bounded.
/// </summary>
public sealed class BoundedReader : IDisposable
{
    private const int HighWater = 4_000;
    private const int LowWater = 1_000;

    private readonly IConsumer<byte[]?, byte[]> _consumer;
    private readonly Dictionary<TopicPartition, Input> _inputs = [];
    private readonly Dictionary<int, List<Input>> _byNumber = [];

    public BoundedReader(KafkaClientFactory clients, IEnumerable<PartitionRange> ranges)
    {
        var config = clients.ConsumerConfig($"replay-reader-{Environment.MachineName}", $"replay-reader-{Guid.NewGuid():N}");
        config.EnableAutoCommit = false;
        config.EnablePartitionEof = true;
        // What it reads was written before the run: there is never a reason to hold a fetch open for more.
        config.FetchWaitMaxMs = 10;
        _consumer = new ConsumerBuilder<byte[]?, byte[]>(config).Build();
        foreach (var range in ranges)
        {
            var input = new Input(range);
            _inputs[range.Partition] = input;
            if (!_byNumber.TryGetValue(range.Partition.Partition.Value, out var siblings))
            {
                _byNumber[range.Partition.Partition.Value] = siblings = [];
            }

            siblings.Add(input);
        }

        var open = _inputs.Values.Where(i => !i.Finished).Select(i => new TopicPartitionOffset(i.Range.Partition, i.Range.Start)).ToList();
        _consumer.Assign(open);
    }

    /// <summary>Records of the ranges read so far.</summary>
    public long Read { get; private set; }

    /// <summary>Records the ranges hold in all (an upper bound where records were deleted or compacted).</summary>
    public long Total => _inputs.Values.Sum(i => i.Range.Records);

    /// <summary>The next records in timestamp order per partition number; an empty list once every range is read.</summary>
    public List<ConsumeResult<byte[]?, byte[]>> Next(int max, CancellationToken cancellationToken)
    {
        var batch = new List<ConsumeResult<byte[]?, byte[]>>();
        while (batch.Count == 0 && !Done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Fetch(TimeSpan.FromMilliseconds(100), max);
            foreach (var siblings in _byNumber.Values)
            {
                Merge(siblings, batch, max);
            }

            Throttle();
        }

        return batch;
    }

    private bool Done => _inputs.Values.All(i => i.Finished && i.Queue.Count == 0);

    private void Fetch(TimeSpan wait, int max)
    {
        for (var taken = 0; taken < max; taken++)
        {
            var record = _consumer.Consume(taken == 0 ? wait : TimeSpan.Zero);
            if (record is null)
            {
                return;
            }

            var input = _inputs[record.TopicPartition];
            if (record.IsPartitionEOF || record.Offset.Value >= input.Range.End)
            {
                // Past what was there when the run began: what the live pipeline writes now is not ours.
                Finish(input);
                continue;
            }

            input.Queue.Enqueue(record);
            Read++;
            if (record.Offset.Value >= input.Range.End - 1)
            {
                Finish(input);
            }
        }
    }

    /// <summary>Takes records while every unfinished sibling has one to compare with: the oldest first.</summary>
    private static void Merge(List<Input> siblings, List<ConsumeResult<byte[]?, byte[]>> batch, int max)
    {
        while (batch.Count < max && siblings.Any(s => s.Queue.Count > 0) && siblings.All(s => s.Queue.Count > 0 || s.Finished))
        {
            var oldest = siblings.Where(s => s.Queue.Count > 0).MinBy(s => s.Queue.Peek().Message.Timestamp.UnixTimestampMs)!;
            batch.Add(oldest.Queue.Dequeue());
        }
    }

    private void Finish(Input input)
    {
        if (input.Finished)
        {
            return;
        }

        input.Finished = true;
        _consumer.Pause([input.Range.Partition]);
    }

    private void Throttle()
    {
        foreach (var input in _inputs.Values.Where(i => !i.Finished))
        {
            if (input.Queue.Count >= HighWater && !input.Paused)
            {
                input.Paused = true;
                _consumer.Pause([input.Range.Partition]);
            }
            else if (input.Queue.Count <= LowWater && input.Paused)
            {
                input.Paused = false;
                _consumer.Resume([input.Range.Partition]);
            }
        }
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }

    private sealed class Input(PartitionRange range)
    {
        public PartitionRange Range { get; } = range;

        public Queue<ConsumeResult<byte[]?, byte[]>> Queue { get; } = new();

        public bool Finished { get; set; } = range.Start >= range.End;

        public bool Paused { get; set; }
    }
}
