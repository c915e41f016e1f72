using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streaming.Kafka;
using Streaming.Kafka.Reading;

namespace Streaming.Replay.Kafka;

/// <summary>
/// Reads partition ranges (what was written before the run started, from a time on) with a consumer of
/// its own: assigned by hand, nothing committed, so the pipeline's groups never notice. Partitions of the
/// same number across topics (co-partitioned inputs) come out merged by record timestamp, so a cart's
/// storefront events and webhooks reach the enricher's logic in the order they happened, as they do live.
/// A partition that runs ahead of its sibling is paused, so memory stays bounded. Records are read and
/// decoded through the <see cref="RecordReader{T}"/> kernel, polled from the caller's loop: a record that
/// cannot be decoded yet (the registry does not answer) waits with its partition paused, and its siblings
/// wait for it, so the run goes on once the registry is back instead of stopping.
/// </summary>
public sealed class BoundedReader<T> : IDisposable
    where T : class
{
    private const int HighWater = 4_000;
    private const int LowWater = 1_000;
    private static readonly RetryPolicy Retry = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));

    private readonly IConsumer<byte[]?, byte[]> _consumer;
    private readonly RecordReader<T> _reader;
    private readonly Dictionary<TopicPartition, Input> _inputs = [];
    private readonly Dictionary<int, List<Input>> _byNumber = [];

    public BoundedReader(KafkaClientFactory clients, IEnumerable<PartitionRange> ranges, DecodeRecord<T> decode, SetAsideRecord setAside, ILogger logger)
    {
        var config = clients.ConsumerConfig($"replay-reader-{Environment.MachineName}", $"replay-reader-{Guid.NewGuid():N}");
        config.EnableAutoCommit = false;
        config.EnablePartitionEof = true;
        // What it reads was written before the run: there is never a reason to hold a fetch open for more.
        config.FetchWaitMaxMs = 10;
        _consumer = new ConsumerBuilder<byte[]?, byte[]>(config).Build();
        _reader = new RecordReader<T>(_consumer, "replay", decode, setAside, Retry, logger) { Admit = Admit };
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
    public List<ConsumedRecord<T>> Next(int max, CancellationToken cancellationToken)
    {
        var batch = new List<ConsumedRecord<T>>();
        while (batch.Count == 0 && !Done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Fetch(TimeSpan.FromMilliseconds(100), max, cancellationToken);
            foreach (var siblings in _byNumber.Values)
            {
                Merge(siblings, batch, max);
            }

            Throttle();
        }

        return batch;
    }

    private bool Done => _inputs.Values.All(Exhausted);

    /// <summary>Nothing more will come of it: read to its end, and nothing of it waits or is queued.</summary>
    private bool Exhausted(Input input) => input.Finished && input.Queue.Count == 0 && !_reader.HasWaiting(input.Range.Partition);

    private void Fetch(TimeSpan wait, int max, CancellationToken cancellationToken)
    {
        var ready = new List<ConsumedRecord<T>>();
        for (var taken = 0; taken < max; taken++)
        {
            var polled = _reader.Poll(taken == 0 ? wait : TimeSpan.Zero, ready, cancellationToken);
            foreach (var record in ready)
            {
                _inputs[record.Raw.TopicPartition].Queue.Enqueue(record);
            }

            if (!polled && ready.Count == 0)
            {
                return;
            }

            ready.Clear();
        }
    }

    /// <summary>Counts a record of the ranges; false for what lies past them (the kernel leaves it undecoded).</summary>
    private bool Admit(ConsumeResult<byte[]?, byte[]> record)
    {
        var input = _inputs[record.TopicPartition];
        if (record.IsPartitionEOF || record.Offset.Value >= input.Range.End)
        {
            // Past what was there when the run began: what the live pipeline writes now is not ours.
            Finish(input);
            return false;
        }

        Read++;
        if (record.Offset.Value >= input.Range.End - 1)
        {
            Finish(input);
        }

        return true;
    }

    /// <summary>Takes records while every sibling that may still deliver has one to compare with: the oldest first.</summary>
    private void Merge(List<Input> siblings, List<ConsumedRecord<T>> batch, int max)
    {
        while (batch.Count < max && siblings.Any(s => s.Queue.Count > 0) && siblings.All(s => s.Queue.Count > 0 || Exhausted(s)))
        {
            var oldest = siblings.Where(s => s.Queue.Count > 0).MinBy(s => s.Queue.Peek().Raw.Message.Timestamp.UnixTimestampMs)!;
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
        _reader.Pauses.Pause([input.Range.Partition], PauseReason.Finished);
    }

    private void Throttle()
    {
        foreach (var input in _inputs.Values.Where(i => !i.Finished))
        {
            var paused = _reader.Pauses.IsPaused(input.Range.Partition, PauseReason.Throttled);
            if (input.Queue.Count >= HighWater && !paused)
            {
                _reader.Pauses.Pause([input.Range.Partition], PauseReason.Throttled);
            }
            else if (input.Queue.Count <= LowWater && paused)
            {
                _reader.Pauses.Resume([input.Range.Partition], PauseReason.Throttled);
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

        public Queue<ConsumedRecord<T>> Queue { get; } = new();

        public bool Finished { get; set; } = range.Start >= range.End;
    }
}
