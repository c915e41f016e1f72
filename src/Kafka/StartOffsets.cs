using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Streaming.Kafka;

/// <summary>Where a partition's records of a time range start, and where the part written before the run ends.</summary>
/// <param name="End">The high watermark when the run started: records written after it are not this run's.</param>
/// <param name="Path">How the start was found, for the log and the summary: time_index or timestamp_search.</param>
public sealed record PartitionRange(TopicPartition Partition, long Start, long End, string Path)
{
    public long Records => Math.Max(0, End - Start);
}

/// <summary>
/// Finds, per partition, the first offset whose record timestamp is at or after a time. The broker's
/// time index answers first (<c>OffsetsForTimes</c>). Where it says "no such record" (-1) although the
/// partition's last record is newer, as librdkafka's mock broker always does, a binary search over record
/// timestamps takes over. The search assumes timestamps grow with offsets, as they do for one producer's
/// records; a record out of order near the bound is at worst read needlessly (the caller filters by time).
/// </summary>
public sealed partial class StartOffsets(KafkaClientFactory clients, ILogger<StartOffsets> logger)
{
    public const string TimeIndex = "time_index";
    public const string TimestampSearch = "timestamp_search";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public IReadOnlyList<PartitionRange> Find(string topic, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var config = clients.ConsumerConfig($"replay-offsets-{Environment.MachineName}", $"replay-offsets-{Guid.NewGuid():N}");
        config.EnableAutoCommit = false;
        // Each probe of the search fetches one record and moves on: a broker that holds an empty fetch
        // for the default 500 ms (librdkafka's mock does, right after a seek) would cost that per probe.
        config.FetchWaitMaxMs = 10;
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config).Build();
        using var admin = clients.CreateAdminClient($"replay-metadata-{Environment.MachineName}");
        var metadata = admin.GetMetadata(topic, Timeout).Topics.Single();
        if (metadata.Error.IsError)
        {
            throw new InvalidOperationException($"The topic {topic} cannot be read: {metadata.Error.Reason}.");
        }

        var partitions = metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(p => p.Partition.Value).ToList();
        var byTime = consumer.OffsetsForTimes(
            partitions.Select(p => new TopicPartitionTimestamp(p, new Timestamp(at.UtcDateTime))), Timeout)
            .ToDictionary(r => r.TopicPartition, r => r.Offset.Value);
        var ranges = new List<PartitionRange>();
        foreach (var partition in partitions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var watermarks = consumer.QueryWatermarkOffsets(partition, Timeout);
            var (low, high) = (watermarks.Low.Value, watermarks.High.Value);
            var answer = byTime.GetValueOrDefault(partition, Offset.End.Value);
            PartitionRange range;
            if (answer >= 0)
            {
                range = new(partition, Math.Max(answer, low), high, TimeIndex);
            }
            else if (high <= low || TimestampAt(consumer, partition, high - 1) < at.ToUnixTimeMilliseconds())
            {
                // -1 and rightly so: nothing at or after the time.
                range = new(partition, high, high, TimeIndex);
            }
            else
            {
                range = new(partition, Search(consumer, partition, low, high - 1, at.ToUnixTimeMilliseconds()), high, TimestampSearch);
            }

            LogRange(topic, partition.Partition.Value, range.Start, range.End, range.Path);
            ranges.Add(range);
        }

        consumer.Close();
        return ranges;
    }

    /// <summary>The first offset in [low, high] whose timestamp is at or after <paramref name="at"/>; the newest record's timestamp is known to be.</summary>
    private static long Search(IConsumer<byte[]?, byte[]> consumer, TopicPartition partition, long low, long high, long at)
    {
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (TimestampAt(consumer, partition, middle) < at)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>The timestamp of the record at <paramref name="offset"/>, or of the next one where that offset is gone.</summary>
    private static long TimestampAt(IConsumer<byte[]?, byte[]> consumer, TopicPartition partition, long offset)
    {
        consumer.Assign(new TopicPartitionOffset(partition, offset));
        var until = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < until)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } record)
            {
                return record.Message.Timestamp.UnixTimestampMs;
            }
        }

        throw new TimeoutException($"No record of {partition} at offset {offset} could be read within {Timeout.TotalSeconds} s.");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Topic}[{Partition}]: offsets {Start} to {End} ({Path})")]
    private partial void LogRange(string topic, int partition, long start, long end, string path);
}
