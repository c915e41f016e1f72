using Avro.Specific;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.Reading;
using Streaming.Kafka.Topics;
using Streaming.Operator.Counting;
using Streaming.Operator.Metrics;
using Streaming.Records;

namespace Streaming.Operator.Reading;

/// <summary>
/// Reads every partition of the delivery log, the enrichment outcomes and the dead letters into the view:
/// from 7 days (and a margin) back, then live. Assigned by hand, in no consumer group and committing
/// nothing, so that each instance sees everything and rebuilds the same figures after a restart. It reads
/// through the <see cref="RecordReader{T}"/> kernel: a record that cannot be decoded yet waits with its
/// partition paused; one that never can is logged and left out of every figure.
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
    private const string Service = "Operator view";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryStart = TimeSpan.FromSeconds(5);
    private static readonly RetryPolicy RegistryRetry = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));

    private readonly ReaderLifecycle _lifecycle = new(logger, Service);
    private readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal)
    {
        [topics.Value[PinterestDelivery.KafkaTopic].Name] = typeof(PinterestDelivery),
        [topics.Value[EnrichmentOutcome.KafkaTopic].Name] = typeof(EnrichmentOutcome),
        [topics.Value[DeadLetter.KafkaTopic].Name] = typeof(DeadLetter),
    };

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PollingThread.Start(Run, stoppingToken);

    private void Run(CancellationToken stoppingToken)
    {
        try
        {
            var ranges = StartRanges(stoppingToken);
            var config = clients.ConsumerConfig($"operator-{Environment.MachineName}", $"operator-view-{Guid.NewGuid():N}");
            // Nothing is committed: each start reads the 7 days again, so nothing else needs keeping.
            config.EnableAutoCommit = false;
            RecordReader<ISpecificRecord>? reader = null;
            using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config)
                .SetErrorHandler((_, error) => reader?.Report(error))
                .Build();
            reader = new RecordReader<ISpecificRecord>(consumer, Service, RecordDecoding.Avro(serdes, _types), LeaveOutAsync, RegistryRetry, logger)
            {
                Admit = Admit,
            };
            consumer.Assign(ranges.Select(r => new TopicPartitionOffset(r.Partition, r.Start)));
            _lifecycle.Assigned(ranges.Select(r => r.Partition));
            rebuild.Started(ranges);
            LogStarted(ranges.Count, ranges.Sum(r => r.Records), clock.GetUtcNow() - Window.Lookback);
            var wasDone = false;
            var ready = new List<ConsumedRecord<ISpecificRecord>>();
            while (!stoppingToken.IsCancellationRequested)
            {
                for (var read = 0; read < 5_000 && reader.Poll(read == 0 ? Poll : TimeSpan.Zero, ready, stoppingToken) | ready.Count > 0; read++)
                {
                    ready.ForEach(Handle);
                    ready.Clear();
                }

                // A record that waits for the registry is past the consumer's position but not in the view yet.
                rebuild.Check(p => reader.WaitingFrom(p) ?? consumer.Position(p).Value);
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

        _lifecycle.Stopped(string.Join(", ", _types.Keys), committed: false);
    }

    private bool Admit(ConsumeResult<byte[]?, byte[]> result)
    {
        rebuild.Read();
        return true;
    }

    // No dead-letter duty here: a record that can never be read is counted in no figure, and said so.
    private Task LeaveOutAsync(ConsumeResult<byte[]?, byte[]> result, string reason, string error, CancellationToken cancellationToken)
    {
        LogUndecodable(result.TopicPartitionOffset.ToString(), error);
        return Task.CompletedTask;
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

    private void Handle(ConsumedRecord<ISpecificRecord> consumed)
    {
        var record = consumed.Value;
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

        metrics.Count(record, new DateTimeOffset(consumed.Raw.Message.Timestamp.UtcDateTime));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Operator view: reading {Partitions} partition(s), {Records} record(s) written since {From:u}, then live")]
    private partial void LogStarted(int partitions, long records, DateTimeOffset from);

    [LoggerMessage(Level = LogLevel.Information, Message = "Operator view: caught up after {Records} record(s) in {Seconds:F1} s")]
    private partial void LogCaughtUp(long records, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator view: cannot find where the last 7 days start on the topics yet; trying again in {Seconds} s")]
    private partial void LogStartFailed(Exception exception, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator view: {Source} cannot be read and is left out: {Error}")]
    private partial void LogUndecodable(string source, string error);

}
