using Avro.Specific;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Enricher.Batches;
using Streaming.Enricher.Tasks;

namespace Streaming.Enricher.Tests.Tasks;

/// <summary>
/// Drives partition tasks over a <see cref="ProcessorHarness"/> as the live enricher does: with the live
/// topology of processors, one <see cref="EnrichmentBatch"/> around each batch or punctuation, and records
/// read from partition 0 at increasing offsets. No Kafka.
/// </summary>
internal sealed class TaskDriver
{
    public const string Webhooks = "shopify.webhooks";
    public const string Storefront = "storefront.events";

    private readonly ProcessorHarness _harness;
    private long _offset;

    public TaskDriver(ProcessorHarness harness)
    {
        _harness = harness;
        Topology = TaskTopology.Create(
            harness.Shops, harness.Output, harness.Serdes, ProcessorHarness.EventsTopic, ProcessorHarness.ChangelogTopic,
            harness.Options, harness.Telemetry, harness.Clock, NullLogger.Instance);
    }

    public TaskTopology Topology { get; }

    /// <summary>A task of partition 0 over the harness's store, as after an assignment or a restart.</summary>
    public PartitionTask NewTask() => new(0, _harness.Store, Topology);

    /// <summary>One batch of <paramref name="records"/>, merged by event time as the reader hands them over.</summary>
    public Task HandleAsync(PartitionTask task, IReadOnlyCollection<TopicPartition> lagging, params ConsumedRecord<ISpecificRecord>[] records) =>
        BatchAsync(work => task.HandleAsync([.. EventTimeOrder.Merge(records)], lagging, work.Enter(task), CancellationToken.None));

    /// <summary>A punctuation: what is due is released, outside any record's span.</summary>
    public Task ReleaseDueAsync(PartitionTask task) => BatchAsync(work => task.ReleaseDueAsync(work.Enter(task)));

    public ConsumedRecord<ISpecificRecord> Record(string topic, ISpecificRecord value, DateTimeOffset at, Headers? headers = null) => new(
        new ConsumeResult<byte[]?, byte[]>
        {
            TopicPartitionOffset = new TopicPartitionOffset(topic, 0, _offset++),
            Message = new Message<byte[]?, byte[]> { Value = [], Timestamp = new Timestamp(at.UtcDateTime), Headers = headers },
        },
        value);

    private Task BatchAsync(Func<EnrichmentBatch, Task> work) =>
        new EnrichmentBatch(_harness.Output, _harness.Telemetry, _harness.Clock, NullLogger.Instance).RunAsync(work, CancellationToken.None);
}
