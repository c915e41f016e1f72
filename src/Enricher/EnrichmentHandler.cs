using Avro.Specific;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Enricher.Batches;
using Streaming.Enricher.Output;
using Streaming.Enricher.Processing;
using Streaming.Enricher.Tasks;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.State;
using Streaming.Kafka.Topics;

namespace Streaming.Enricher;

/// <summary>
/// The enricher's work on a batch of webhooks and storefront events of the partitions it owns: one
/// <see cref="PartitionTask"/> per partition number (sessions recorded, server events joined to them or
/// waiting for them through the grace period), opened and restored when the partition is assigned, closed
/// when it is revoked, dropped when it is lost. Each batch is one <see cref="EnrichmentBatch"/>: events
/// written, then state committed, or state rolled back.
/// </summary>
public sealed class EnrichmentHandler : IRecordBatchHandler<ISpecificRecord>, IPartitionAware, IPunctuated, IBacklogAware, IDisposable
{
    private readonly IEnrichmentOutput _output;
    private readonly EnricherOptions _options;
    private readonly PipelineTelemetry _telemetry;
    private readonly TimeProvider _clock;
    private readonly ILogger<EnrichmentHandler> _logger;
    private readonly IDeadLetterEraser? _deadLetterEraser;
    private readonly PartitionStores _stores;
    private readonly TaskTopology _topology;
    private readonly Dictionary<int, PartitionTask> _tasks = [];
    private IReadOnlySet<TopicPartition> _behind = new HashSet<TopicPartition>();
    private DateTimeOffset _nextSweep;

    public EnrichmentHandler(
        ShopDirectory<EnricherShop> shops,
        RecordPublisher publisher,
        IEnrichmentOutput output,
        AvroSerdes serdes,
        ChangelogRestorer restorer,
        IOptions<TopicsOptions> topics,
        IOptions<EnricherOptions> options,
        PipelineTelemetry telemetry,
        TimeProvider clock,
        ILogger<EnrichmentHandler> logger,
        IDeadLetterEraser? deadLetterEraser = null)
    {
        _deadLetterEraser = deadLetterEraser;
        _output = output;
        _options = options.Value;
        _telemetry = telemetry;
        _clock = clock;
        _logger = logger;
        ChangelogTopic = topics.Value[EnricherState.KafkaTopic].Name;
        // One directory per group: instances of different groups on one machine never share a store.
        _stores = new PartitionStores(
            "enricher-state", _options.StateChangelog ? ChangelogTopic : null, Path.Combine(_options.State.Directory, _options.GroupId), _options.State, publisher, restorer, logger);
        _topology = TaskTopology.Create(shops, output, serdes, topics.Value[PinterestEvent.KafkaTopic].Name, ChangelogTopic, _options, telemetry, clock, logger);
        _nextSweep = clock.GetUtcNow() + _options.ExpirySweepInterval;
        telemetry.Observe("pipeline.enricher.state.partitions", "{partition}", "Partitions whose state this instance holds.", () => _stores.Open.Count);
    }

    public string ChangelogTopic { get; }

    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<ISpecificRecord>> batch, CancellationToken cancellationToken)
    {
        await NewBatch().RunAsync(async work =>
        {
            // Partitions share nothing but the process (their state, waiting events and stream time are
            // their own tasks'), so each is handled on its own, side by side, like Kafka Streams' tasks.
            var lanes = EventTimeOrder.Merge(batch)
                .GroupBy(r => r.Raw.Partition.Value)
                .Select(g => (Task: TaskOf(g.Key), Records: g.ToList()))
                .Select(lane => (lane.Task, lane.Records, Context: work.Enter(lane.Task), Lagging: _behind.Where(p => p.Partition.Value == lane.Task.Partition).ToList()))
                .ToList();
            await Task.WhenAll(lanes.Select(lane =>
                Task.Run(() => lane.Task.HandleAsync(lane.Records, lane.Lagging, lane.Context, cancellationToken), cancellationToken)));
        }, cancellationToken);

        foreach (var record in batch)
        {
            record.MarkDone();
        }
    }

    public void OnBacklog(IReadOnlySet<TopicPartition> behind) => _behind = behind;

    public void OnAssigned(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        Forget(partitions);
        _stores.Assigned(partitions, cancellationToken);
        foreach (var number in partitions.Select(p => p.Partition.Value).Distinct().Where(n => !_tasks.ContainsKey(n)))
        {
            _tasks[number] = new PartitionTask(number, new PartitionBatchStore(_stores[number]), _topology);
        }
    }

    public void OnRevoked(IReadOnlyList<TopicPartition> partitions)
    {
        // Every batch committed before the revocation: the stores close with nothing left to write.
        _stores.Revoked(partitions);
        CloseTasksOfClosedStores(partitions);
    }

    public void OnLost(IReadOnlyList<TopicPartition> partitions)
    {
        _stores.Lost(partitions);
        CloseTasksOfClosedStores(partitions);
    }

    public Task PunctuateAsync(CancellationToken cancellationToken) =>
        NewBatch().RunAsync(async work =>
        {
            var tasks = _tasks.Values.ToList();
            // Each task's due releases on its own, side by side, as a batch's partitions are handled: a
            // release decodes, stitches and encodes, and after a busy stretch many are due at once. This runs
            // after every batch and idle poll, so a task with nothing waiting is not entered at all.
            var releases = tasks.Where(task => task.Waiting > 0).Select(task => (Task: task, Context: work.Enter(task))).ToList();
            await (releases.Count == 1
                ? releases[0].Task.ReleaseDueAsync(releases[0].Context)
                : Task.WhenAll(releases.Select(release => Task.Run(() => release.Task.ReleaseDueAsync(release.Context)))));

            if (_clock.GetUtcNow() >= _nextSweep)
            {
                _nextSweep = _clock.GetUtcNow() + _options.ExpirySweepInterval;
                foreach (var task in tasks)
                {
                    await task.SweepAsync(work.Enter(task));
                }
            }
        }, cancellationToken);

    /// <summary>Until the earliest wall-clock cap still ahead: a waiting event goes when its cap is reached, not up to an idle poll later.</summary>
    public TimeSpan? DueIn()
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var next = _tasks.Values.Select(t => t.NextWallClockCap(after: now)).Min();
        return next is { } at ? TimeSpan.FromMilliseconds(at - now) : null;
    }

    /// <summary>
    /// Lets every waiting server event go with whatever session is known, as if all grace periods were
    /// over: for the end of a bounded input (a replay), where nothing more will arrive.
    /// </summary>
    public Task ReleaseAllWaitingAsync(CancellationToken cancellationToken) =>
        NewBatch().RunAsync(async work =>
        {
            foreach (var task in _tasks.Values.ToList())
            {
                await task.ReleaseAllAsync(work.Enter(task));
            }
        }, cancellationToken);

    public void Dispose()
    {
        _tasks.Clear();
        _stores.Dispose();
    }

    private EnrichmentBatch NewBatch() => new(_output, _telemetry, _clock, _logger, _deadLetterEraser);

    private PartitionTask TaskOf(int partition) => _tasks.TryGetValue(partition, out var task)
        ? task
        : throw new InvalidOperationException($"No task is open for partition {partition} of the enricher: the partition is not assigned here.");

    private void Forget(IReadOnlyList<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _tasks.GetValueOrDefault(partition.Partition.Value)?.Forget(partition);
        }
    }

    private void CloseTasksOfClosedStores(IReadOnlyList<TopicPartition> partitions)
    {
        Forget(partitions);
        foreach (var number in partitions.Select(p => p.Partition.Value).Distinct().Where(n => !_stores.Open.ContainsKey(n)))
        {
            _tasks.Remove(number);
        }
    }
}
