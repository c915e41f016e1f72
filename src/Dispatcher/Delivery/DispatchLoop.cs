using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Dispatcher.Dedupe;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.Reading;
using Streaming.Kafka.Topics;
using Streaming.Records;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// Reads pinterest.events on a thread of its own and never waits for Pinterest: each event goes to its
/// shop's lane, and the offset stored for a partition is its lowest unfinished record. A slow, limited or
/// refused shop therefore neither stalls the poll loop (the member never outlives max.poll.interval.ms)
/// nor holds another shop's events; it holds only the offsets behind its own first unfinished event. A
/// partition with too many unfinished records is paused until half of them are done. It reads through the
/// <see cref="RecordReader{T}"/> kernel: an event that cannot be decoded yet waits with its partition paused
/// while polling goes on, and one that never can goes to the dead-letter topic.
/// </summary>
public sealed partial class DispatchLoop(
    KafkaClientFactory clients,
    AvroSerdes serdes,
    DeadLetterPublisher deadLetters,
    ShopDirectory<DispatcherShop> shops,
    ShopLanes lanes,
    PartitionProgress progress,
    GroupMembership membership,
    DeliveredIds delivered,
    ConsumerLags lags,
    IOptions<DispatcherOptions> options,
    IOptions<TopicsOptions> topics,
    TimeProvider clock,
    ILogger<DispatchLoop> logger) : BackgroundService
{
    private const int BurstRecords = 2000;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan BurstLength = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(10);

    private readonly string _topic = topics.Value[PinterestEvent.KafkaTopic].Name;
    private readonly DecodeRecord<PinterestEvent> _decode = RecordDecoding.Avro<PinterestEvent>(serdes);
    private readonly ReaderLifecycle _lifecycle = new(logger, DeliveryStatus.Service);
    private DateTimeOffset _nextSweep = clock.GetUtcNow() + SweepInterval;
    private RecordReader<ShopEvent> _reader = null!;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PollingThread.Start(Run, stoppingToken);

    private void Run(CancellationToken stoppingToken)
    {
        using var consumer = clients.GroupMemberBuilder(DeliveryStatus.Service, options.Value.GroupId, statisticsInterval: GroupMembership.StatisticsInterval)
            .SetStatisticsHandler((_, statistics) => membership.Observe(statistics))
            .SetPartitionsAssignedHandler((_, partitions) => Assigned(partitions, stoppingToken))
            .SetPartitionsRevokedHandler((c, partitions) => Revoked(c, partitions.Select(p => p.TopicPartition).ToList()))
            .SetPartitionsLostHandler((_, partitions) => Lost(partitions.Select(p => p.TopicPartition).ToList()))
            .SetErrorHandler((_, error) => _reader.Report(error))
            .Build();
        using var lag = lags.Member(options.Value.GroupId);
        _reader = new RecordReader<ShopEvent>(
            consumer, DeliveryStatus.Service, DecodeAsync, SetAsideAsync, new RetryPolicy(options.Value.RetryBaseDelay, options.Value.MaxRetryBackoff), logger)
        {
            Lag = lag,
            ShopOf = RecordScope.ShopOfKey,
        };
        consumer.Subscribe(_topic);
        _lifecycle.Started(_topic, options.Value.GroupId, clients.GroupInstanceId(DeliveryStatus.Service));
        var ready = new List<ConsumedRecord<ShopEvent>>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Records are routed in bursts; the bookkeeping (offsets, pauses, sweeps) runs between
                // bursts, at most every few milliseconds, not once per record.
                var burstEnds = DateTime.UtcNow + BurstLength;
                for (var polled = 0; polled < BurstRecords && _reader.Poll(polled == 0 ? Poll : TimeSpan.Zero, ready, stoppingToken) | ready.Count > 0; polled++)
                {
                    ready.ForEach(Route);
                    ready.Clear();
                    if (DateTime.UtcNow > burstEnds)
                    {
                        break;
                    }
                }

                StoreOffsets(consumer, progress.Committable());
                Throttle(consumer);
                SweepWhenDue(stoppingToken);
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is not finished is read again by whoever owns the partition next.
        }
        finally
        {
            // Nothing new is sent; what Pinterest is answering now is finished, so its offsets are committed.
            try
            {
                var assignment = consumer.Assignment;
                progress.Abandon(assignment);
                progress.WaitUntilNotSending(assignment, options.Value.HandOverTimeout);
                StoreOffsets(consumer, progress.Committable());
            }
            finally
            {
                // Whatever happened above: a static member (Kafka:GroupInstanceId) does not leave the group on
                // Close, by design, but Close still commits and hands the partitions over here; its partitions
                // then wait for it until the session timeout, which a restart beats and a scale-down waits out.
                consumer.Close();
            }

            _lifecycle.Stopped(_topic, committed: true);
        }
    }

    private void Route(ConsumedRecord<ShopEvent> record)
    {
        var pending = new PendingEvent(record.Raw, record.Value.Event, record.Value.Shop);
        progress.Started(pending);
        lanes.Route(pending);
    }

    /// <summary>An event with the shop it is sent for; an event of a shop that is not configured is never sent, and goes to the dead letters.</summary>
    private async Task<ShopEvent?> DecodeAsync(ConsumeResult<byte[]?, byte[]> result)
    {
        var value = await _decode(result).ConfigureAwait(false);
        if (value is null)
        {
            return null;
        }

        return shops.TryFind(value.ShopDomain, out var shop)
            ? new ShopEvent(value, shop)
            : throw new UnreadableRecordException(DeliveryStatus.Reasons.UnknownShop, $"No shop '{value.ShopDomain}' is configured.");
    }

    // The poison must leave the partition, and only once it is safely in the dead-letter topic: when that
    // fails, the kernel keeps the record waiting, its partition paused, and tries again with backoff.
    private async Task SetAsideAsync(ConsumeResult<byte[]?, byte[]> result, string reason, string error, CancellationToken cancellationToken)
    {
        try
        {
            await deadLetters.PublishAsync(result, DeliveryStatus.Service, reason, error, cancellationToken);
        }
        catch (KafkaException e) when (!cancellationToken.IsCancellationRequested)
        {
            LogDeadLetterFailed(e);
            throw;
        }

        progress.Skipped(result.TopicPartition, result.Offset.Value);
    }

    private static void StoreOffsets(IConsumer<byte[]?, byte[]> consumer, List<TopicPartitionOffset> offsets)
    {
        foreach (var offset in offsets)
        {
            try
            {
                consumer.StoreOffset(offset);
            }
            catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_State)
            {
                // Not assigned any more; its new owner starts from the last commit.
            }
        }
    }

    /// <summary>Pauses a partition whose unfinished records reach the window, resumes it at half.</summary>
    private void Throttle(IConsumer<byte[]?, byte[]> consumer)
    {
        var max = options.Value.MaxInFlightPerPartition;
        foreach (var partition in consumer.Assignment)
        {
            var unfinished = progress.Unfinished(partition);
            var paused = _reader.Pauses.IsPaused(partition, PauseReason.Throttled);
            if (unfinished >= max && !paused)
            {
                _reader.Pauses.Pause([partition], PauseReason.Throttled);
                LogPaused(partition.ToString(), unfinished);
            }
            else if (unfinished <= max / 2 && paused)
            {
                _reader.Pauses.Resume([partition], PauseReason.Throttled);
            }
        }
    }

    private void SweepWhenDue(CancellationToken cancellationToken)
    {
        if (clock.GetUtcNow() < _nextSweep)
        {
            return;
        }

        _nextSweep = clock.GetUtcNow() + SweepInterval;
        try
        {
            var deleted = delivered.SweepAsync(cancellationToken).GetAwaiter().GetResult();
            LogSwept(deleted);
        }
        catch (Exception e) when (e is KafkaException or PartitionGoneException)
        {
            LogSweepFailed(e);
        }
    }

    private void Assigned(List<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        _lifecycle.Assigned(partitions);
        _reader.Prepare(partitions, p => delivered.Assigned(p, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// A clean hand-over: nothing more of these partitions is sent; requests already out are waited for
    /// (bounded), so that their accepted ids are in the changelog before the next owner restores it.
    /// </summary>
    private void Revoked(IConsumer<byte[]?, byte[]> consumer, List<TopicPartition> partitions)
    {
        _lifecycle.Revoked(partitions);
        progress.Abandon(partitions);
        if (!progress.WaitUntilNotSending(partitions, options.Value.HandOverTimeout))
        {
            LogHandOverTimedOut(ReaderLifecycle.Describe(partitions), options.Value.HandOverTimeout.TotalSeconds);
        }

        StoreOffsets(consumer, progress.Committable(partitions));
        try
        {
            consumer.Commit();
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_NoOffset)
        {
        }
        catch (KafkaException e)
        {
            LogClientError(e.Error.Code, e.Error.Reason);
        }

        delivered.Revoked(partitions);
        progress.Drop(partitions);
        _reader.Forget(partitions);
    }

    private void Lost(List<TopicPartition> partitions)
    {
        _lifecycle.Lost(partitions);
        progress.Drop(partitions);
        delivered.Lost(partitions);
        _reader.Forget(partitions);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Requests for {Partitions} were not answered within {Seconds} s of the hand-over; their events may be sent again by the new owner")]
    private partial void LogHandOverTimedOut(string partitions, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dispatcher paused {Partition}: {Unfinished} events read and unfinished (Dispatcher:MaxInFlightPerPartition)")]
    private partial void LogPaused(string partition, int unfinished);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dispatcher Kafka client error {Code}: {Reason}")]
    private partial void LogClientError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A dead letter could not be written; the record waits")]
    private partial void LogDeadLetterFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Deleted} delivered id(s) past Dispatcher:DeliveredRetention")]
    private partial void LogSwept(int deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sweep of delivered ids failed; it runs again later")]
    private partial void LogSweepFailed(Exception exception);

    /// <summary>A decoded event and its shop, found once when it was read.</summary>
    private sealed record ShopEvent(PinterestEvent Event, DispatcherShop Shop);
}
