using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streaming.Kafka;

namespace Streaming.Kafka.State;

/// <summary>
/// Brings local stores up to date from their changelog partitions: reads each from just after its
/// checkpoint (or from the beginning) to the end it had when the restore began, and writes what it reads
/// to RocksDB in large batches. Runs before the partitions' input is handled, like Kafka Streams' restore phase.
/// </summary>
public sealed partial class ChangelogRestorer(KafkaClientFactory clients, ILogger<ChangelogRestorer> logger)
{
    private const int WriteBatch = 20_000;
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    public sealed record Target(int Partition, RocksDbStore Store, long? Checkpoint);

    /// <summary>Returns how many changes were applied; with a <paramref name="format"/>, each record is expanded into its changes.</summary>
    public long Restore(string changelogTopic, IReadOnlyList<Target> targets, CancellationToken cancellationToken, IChangelogFormat? format = null)
    {
        if (targets.Count == 0)
        {
            return 0;
        }

        var watch = Stopwatch.StartNew();
        var config = clients.ConsumerConfig($"restore-{changelogTopic}", $"restore-{changelogTopic}");
        config.EnableAutoCommit = false;
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        config.FetchMaxBytes = 64 * 1024 * 1024;
        config.MaxPartitionFetchBytes = 8 * 1024 * 1024;
        config.GroupProtocol = GroupProtocol.Classic;
        using var consumer = new ConsumerBuilder<byte[], byte[]?>(config).Build();

        var ends = new Dictionary<int, long>();
        var assignment = new List<TopicPartitionOffset>();
        foreach (var target in targets)
        {
            var partition = new TopicPartition(changelogTopic, target.Partition);
            var marks = consumer.QueryWatermarkOffsets(partition, QueryTimeout);
            var from = target.Checkpoint is { } done ? done + 1 : marks.Low.Value;
            if (target.Checkpoint is { } checkpoint && (checkpoint >= marks.High.Value || from < marks.Low.Value))
            {
                // Past the end, the changelog is not the one this copy was written from (it was deleted and
                // created again); before its start, changes this copy never saw are gone, deletions among
                // them. Either way the copy cannot be trusted: as Kafka Streams does, wipe it and restore all.
                LogStale(changelogTopic, target.Partition, checkpoint, marks.Low.Value, marks.High.Value);
                target.Store.Clear();
                from = marks.Low.Value;
            }

            if (marks.High.Value > from)
            {
                ends[target.Partition] = marks.High.Value;
                assignment.Add(new TopicPartitionOffset(partition, new Offset(Math.Max(from, marks.Low.Value))));
            }
        }

        long applied = 0;
        if (assignment.Count > 0)
        {
            var stores = targets.ToDictionary(t => t.Partition, t => t.Store);
            var pending = targets.ToDictionary(t => t.Partition, _ => new List<KeyValuePair<byte[], byte[]?>>(WriteBatch));
            consumer.Assign(assignment);
            while (ends.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = consumer.Consume(TimeSpan.FromSeconds(1));
                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                var partition = result.Partition.Value;
                var changes = pending[partition];
                if (format is null)
                {
                    changes.Add(new(result.Message.Key ?? [], result.Message.Value));
                    applied++;
                }
                else
                {
                    var before = changes.Count;
                    changes.AddRange(format.Expand(result));
                    applied += changes.Count - before;
                }

                if (changes.Count >= WriteBatch)
                {
                    stores[partition].Apply(changes);
                    changes.Clear();
                }

                if (ends.TryGetValue(partition, out var end) && result.Offset.Value >= end - 1)
                {
                    stores[partition].Apply(changes);
                    changes.Clear();
                    stores[partition].WriteCheckpoint(result.Offset.Value);
                    ends.Remove(partition);
                }
            }
        }

        LogRestored(changelogTopic, targets.Count, applied, watch.Elapsed.TotalSeconds);
        return applied;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored {Partitions} partition(s) of {Changelog}: {Changes} change(s) in {Seconds:0.00} s")]
    private partial void LogRestored(string changelog, int partitions, long changes, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Changelog}[{Partition}] holds offsets {Low} to {High}, which this copy's checkpoint ({Checkpoint}) does not fit: the local store is wiped and restored from the changelog")]
    private partial void LogStale(string changelog, int partition, long checkpoint, long low, long high);
}
