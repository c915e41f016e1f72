using Avro.Specific;
using Confluent.Kafka;
using Streaming.Enricher.Processing;
using Streaming.Enricher.Stitching;
using Streaming.Enricher.Tracing;
using Streaming.Kafka;
using Streaming.Kafka.State;

namespace Streaming.Enricher.Tasks;

/// <summary>
/// One partition number's work, like a Kafka Streams StreamTask: its store, its stream time, its
/// waiting room and its expiry sweep, shared with no other partition, so that tasks run side by side.
/// A task is created when its partition is assigned and dropped when it is revoked or lost; one thread
/// at a time works on it.
/// </summary>
public sealed class PartitionTask
{
    private readonly IBatchStore _store;
    private readonly TaskTopology _topology;
    private readonly StreamClock _clock = new();
    private readonly WaitingRoom _waiting = new();
    private readonly ExpirySweep _sweep = new();

    public PartitionTask(int partition, IBatchStore store, TaskTopology topology)
    {
        Partition = partition;
        _store = store;
        _topology = topology;
        // Restored state may hold server events that were waiting when the partition moved.
        LoadWaiting();
    }

    public int Partition { get; }

    public long StreamTime => _clock.Now;

    public int Waiting => _waiting.Count;

    /// <summary>The earliest wall-clock cap of a waiting event after <paramref name="after"/> (Unix milliseconds), if any.</summary>
    public long? NextWallClockCap(long after) => _waiting.NextWallTime(after);

    /// <summary>The task's context for one batch; every call of the batch on this task gets it.</summary>
    public ProcessorContext Open() =>
        new(_topology.States(_store), _waiting, _topology.Clock) { StreamTime = _clock.Now, Partition = Partition };

    /// <summary>
    /// Handles the partition's records of a batch in event-time order: each moves stream time, lets
    /// go what waited past its grace period, then goes to its processor.
    /// </summary>
    /// <param name="lagging">The partition's inputs that may hold unread records beyond the batch.</param>
    public async Task HandleAsync(
        IReadOnlyList<ConsumedRecord<ISpecificRecord>> records, IReadOnlyCollection<TopicPartition> lagging, ProcessorContext context, CancellationToken cancellationToken)
    {
        var left = records.CountBy(r => r.Raw.Topic).ToDictionary();
        foreach (var record in records)
        {
            var at = record.Raw.Message.Timestamp.UnixTimestampMs;
            left[record.Raw.Topic]--;
            context.StreamTime = _clock.Advance(record.Raw.TopicPartition, at, lagging, left);
            context.Trace = TraceContexts.OfRecord(record.Raw.Message.Headers);
            if (_waiting.AnyDue(context.StreamTime))
            {
                // Stream time passed a grace period: what waited goes before this record is handled.
                await _topology.Release.ReleaseDueAsync(context, byWallClock: false);
            }

            await _topology.Router.RouteAsync(record, at, context, cancellationToken);
        }
    }

    /// <summary>What is due by stream time or past its wall-clock cap, on a quiet partition too.</summary>
    public Task ReleaseDueAsync(ProcessorContext context) => _topology.Release.ReleaseDueAsync(context, byWallClock: true);

    /// <summary>Everything waiting, with whatever session is known: the input is over.</summary>
    public Task ReleaseAllAsync(ProcessorContext context) => _topology.Release.ReleaseAllAsync(context);

    public async Task SweepAsync(ProcessorContext context)
    {
        var deleted = await _sweep.SweepAsync(context.States);
        if (deleted > 0)
        {
            _topology.Telemetry.StateExpired.Add(deleted);
        }
    }

    public void Forget(TopicPartition input) => _clock.Forget(input);

    /// <summary>The batch's state changes, written down once its events are safe.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => _store.CommitAsync(cancellationToken);

    /// <summary>The batch's state changes forgotten, and the waiting room made to match the store again.</summary>
    public void Rollback()
    {
        _store.Rollback();
        LoadWaiting();
    }

    private void LoadWaiting()
    {
        var states = _topology.States(_store);
        _waiting.Load(states.Scan(CartStates.WaitingPrefix)
            .Select(e => (e.Key, states.DecodeAsync(e.Value).GetAwaiter().GetResult().Waiting?.DueWallTime ?? 0))
            .ToList());
    }
}
