using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Options;
using Streaming.Operator.Counting;
using Streaming.Operator.Metrics;
using Streaming.Kafka.Avro;
using Streaming.Kafka;
using Streaming.Kafka.Topics;
using Streaming.Records;

namespace Streaming.Operator.Reading;

/// <summary>
/// Reads every partition of the delivery log, the enrichment outcomes and the dead letters into the view:
/// from 7 days (and a margin) back, then live. Assigned by hand, in no consumer group and committing
/// nothing, so that each instance sees everything and rebuilds the same figures after a restart.
/// </summary>
public sealed partial class TopicFeed(
    KafkaClientFactory clients,
    StartOffsets startOffsets,
    AvroSerdes serdes,
    OperatorView view,
    OperatorMetrics metrics,
    Rebuild rebuild,
    IOptions<TopicsOptions> topics,
    TimeProvider clock,
    ILogger<TopicFeed> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryStart = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal)
    {
        [topics.Value[PinterestDelivery.KafkaTopic].Name] = typeof(PinterestDelivery),
        [topics.Value[EnrichmentOutcome.KafkaTopic].Name] = typeof(EnrichmentOutcome),
        [topics.Value[DeadLetter.KafkaTopic].Name] = typeof(DeadLetter),
    };

    // Consume blocks: on a thread of its own it takes none from the pool that serves the page.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        try
        {
            var ranges = StartRanges(stoppingToken);
            var config = clients.ConsumerConfig($"operator-{Environment.MachineName}", $"operator-view-{Guid.NewGuid():N}");
            // Nothing is committed: each start reads the 7 days again, so nothing else needs keeping.
            config.EnableAutoCommit = false;
            using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config)
                .SetErrorHandler((_, error) => LogClientError(error.Code, error.Reason))
                .Build();
            consumer.Assign(ranges.Select(r => new TopicPartitionOffset(r.Partition, r.Start)));
            rebuild.Started(ranges);
            LogStarted(ranges.Count, ranges.Sum(r => r.Records), clock.GetUtcNow() - Window.Lookback);
            var wasDone = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                for (var read = 0; read < 5_000 && Consume(consumer, read == 0 ? Poll : TimeSpan.Zero) is { } result; read++)
                {
                    Handle(result, stoppingToken);
                }

                rebuild.Check(p => consumer.Position(p).Value);
                if (rebuild.Done && !wasDone)
                {
                    wasDone = true;
                    LogCaughtUp(rebuild.Records, rebuild.Took.TotalSeconds);
                }
            }

            consumer.Close();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Where the last 7 days start, per partition; a cluster that is not there yet is asked again.</summary>
    private List<PartitionRange> StartRanges(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                var from = clock.GetUtcNow() - Window.Lookback;
                return [.. _types.Keys.SelectMany(topic => startOffsets.Find(topic, from, stoppingToken))];
            }
            catch (Exception e) when (e is KafkaException or InvalidOperationException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                LogStartFailed(e, RetryStart.TotalSeconds);
                stoppingToken.WaitHandle.WaitOne(RetryStart);
                stoppingToken.ThrowIfCancellationRequested();
            }
        }
    }

    private ConsumeResult<byte[]?, byte[]>? Consume(IConsumer<byte[]?, byte[]> consumer, TimeSpan wait)
    {
        try
        {
            return consumer.Consume(wait);
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            LogClientError(e.Error.Code, e.Error.Reason);
            return null;
        }
    }

    private void Handle(ConsumeResult<byte[]?, byte[]> result, CancellationToken stoppingToken)
    {
        rebuild.Read();
        if (Decode(result, stoppingToken) is not { } record)
        {
            return;
        }

        switch (record)
        {
            case PinterestDelivery delivery:
                view.Add(delivery);
                break;
            case EnrichmentOutcome outcome:
                view.Add(outcome);
                break;
            case DeadLetter letter:
                view.Add(letter);
                break;
        }

        metrics.Count(record, new DateTimeOffset(result.Message.Timestamp.UtcDateTime));
    }

    /// <summary>The record, or null when it can never be read (it is counted in no figure). Waits while the registry does not answer.</summary>
    private ISpecificRecord? Decode(ConsumeResult<byte[]?, byte[]> result, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                return serdes.DeserializeAsync(_types[result.Topic], result.Message.Value, result.Topic).GetAwaiter().GetResult();
            }
            catch (Exception e) when (AvroSerdes.IsUndecodable(e))
            {
                LogUndecodable(result.TopicPartitionOffset.ToString(), e.Message);
                return null;
            }
            catch (Exception e) when (e is HttpRequestException or SchemaRegistryException && !stoppingToken.IsCancellationRequested)
            {
                LogRegistryUnavailable(e);
                stoppingToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Operator view: reading {Partitions} partition(s), {Records} record(s) written since {From:u}, then live")]
    private partial void LogStarted(int partitions, long records, DateTimeOffset from);

    [LoggerMessage(Level = LogLevel.Information, Message = "Operator view: caught up after {Records} record(s) in {Seconds:F1} s")]
    private partial void LogCaughtUp(long records, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator view: cannot find where the last 7 days start on the topics yet; trying again in {Seconds} s")]
    private partial void LogStartFailed(Exception exception, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator view: {Source} cannot be read and is left out: {Error}")]
    private partial void LogUndecodable(string source, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator view: the schema registry does not answer; the record waits")]
    private partial void LogRegistryUnavailable(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator view: Kafka client error {Code}: {Reason}")]
    private partial void LogClientError(ErrorCode code, string reason);
}
