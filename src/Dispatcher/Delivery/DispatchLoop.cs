using System.Net;
using Avro;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Options;
using Streaming.Dispatcher.Dedupe;
using Streaming.Kafka.Avro;
using Streaming.Kafka;
using Streaming.Kafka.Topics;
using Streaming.ServiceDefaults.Shops;
using Streaming.Records;
using Streaming.Contracts;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// Reads pinterest.events on a thread of its own and never waits for Pinterest: each event goes to its
/// shop's lane, and the offset stored for a partition is its lowest unfinished record. A slow, limited or
/// refused shop therefore neither stalls the poll loop (the member never outlives max.poll.interval.ms)
/// nor holds another shop's events; it holds only the offsets behind its own first unfinished event. A
/// partition with too many unfinished records is paused until half of them are done.
/// </summary>
public sealed partial class DispatchLoop(
    KafkaClientFactory clients,
    AvroSerdes serdes,
    DeadLetterPublisher deadLetters,
    ShopDirectory shops,
    ShopLanes lanes,
    PartitionProgress progress,
    DeliveredIds delivered,
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
    private readonly HashSet<TopicPartition> _paused = [];
    private DateTimeOffset _nextSweep = clock.GetUtcNow() + SweepInterval;

    // Consume blocks: on a thread of its own it takes none from the pool that serves HTTP and the lanes.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        using var consumer = clients.ConsumerBuilder($"dispatcher-{Environment.MachineName}", options.Value.GroupId)
            .SetPartitionsAssignedHandler((_, partitions) => Assigned(partitions, stoppingToken))
            .SetPartitionsRevokedHandler((c, partitions) => Revoked(c, partitions.Select(p => p.TopicPartition).ToList()))
            .SetPartitionsLostHandler((_, partitions) => Lost(partitions.Select(p => p.TopicPartition).ToList()))
            .SetErrorHandler((_, error) => LogClientError(error.Code, error.Reason))
            .Build();
        consumer.Subscribe(_topic);
        LogStarted(_topic, options.Value.GroupId);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Records are routed in bursts; the bookkeeping (offsets, pauses, sweeps) runs between
                // bursts, at most every few milliseconds, not once per record.
                var burstEnds = DateTime.UtcNow + BurstLength;
                for (var routed = 0; routed < BurstRecords && Consume(consumer, routed == 0 ? Poll : TimeSpan.Zero) is { } result; routed++)
                {
                    Route(result, stoppingToken).GetAwaiter().GetResult();
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
            var assignment = consumer.Assignment;
            progress.Abandon(assignment);
            progress.WaitUntilNotSending(assignment, options.Value.HandOverTimeout);
            StoreOffsets(consumer, progress.Committable());
            consumer.Close();
            LogStopped(_topic);
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

    private async Task Route(ConsumeResult<byte[]?, byte[]> result, CancellationToken cancellationToken)
    {
        var (value, error) = await DecodeAsync(result);
        if (value is null)
        {
            await DeadLetterUntilDoneAsync(result, DeliveryStatus.Reasons.Undeserializable, error!, cancellationToken);
            return;
        }

        if (!shops.TryFind(value.ShopDomain, out var shop))
        {
            await DeadLetterUntilDoneAsync(result, DeliveryStatus.Reasons.UnknownShop, $"No shop '{value.ShopDomain}' is configured.", cancellationToken);
            return;
        }

        var pending = new PendingEvent(result, value, shop);
        progress.Started(pending);
        lanes.Route(pending);
    }

    /// <summary>The value, or why it can never be read. Throws when reading may work later (registry unreachable).</summary>
    private async Task<(PinterestEvent? Value, string? Error)> DecodeAsync(ConsumeResult<byte[]?, byte[]> result)
    {
        if (result.Message.Value is not { Length: > 0 } bytes)
        {
            return (null, "The record has no value (a tombstone or an empty record).");
        }

        while (true)
        {
            try
            {
                return (await serdes.DeserializeAsync<PinterestEvent>(bytes, result.Topic), null);
            }
            catch (Exception e) when (AvroSerdes.IsUndecodable(e))
            {
                return (null, e.Message);
            }
            catch (Exception e) when (e is HttpRequestException or SchemaRegistryException)
            {
                // The registry does not answer: the record waits, the partition is not skipped.
                LogRegistryUnavailable(e);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    // The poison must leave the partition, and only once it is safely in the dead-letter topic.
    private async Task DeadLetterUntilDoneAsync(ConsumeResult<byte[]?, byte[]> result, string reason, string error, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await deadLetters.PublishAsync(result, DeliveryStatus.Service, reason, error, cancellationToken);
                progress.Skipped(result.TopicPartition, result.Offset.Value);
                return;
            }
            catch (KafkaException e) when (!cancellationToken.IsCancellationRequested)
            {
                LogDeadLetterFailed(e, attempt);
                await Task.Delay(Backoff.Next(attempt, options.Value.RetryBaseDelay, options.Value.MaxRetryBackoff, Random.Shared), cancellationToken);
            }
        }
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
            if (unfinished >= max && _paused.Add(partition))
            {
                consumer.Pause([partition]);
                LogPaused(partition.ToString(), unfinished);
            }
            else if (unfinished <= max / 2 && _paused.Remove(partition))
            {
                consumer.Resume([partition]);
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

        LogAssigned(Describe(partitions));
        delivered.Assigned(partitions, cancellationToken);
    }

    /// <summary>
    /// A clean hand-over: nothing more of these partitions is sent; requests already out are waited for
    /// (bounded), so that their accepted ids are in the changelog before the next owner restores it.
    /// </summary>
    private void Revoked(IConsumer<byte[]?, byte[]> consumer, List<TopicPartition> partitions)
    {
        LogRevoked(Describe(partitions));
        progress.Abandon(partitions);
        if (!progress.WaitUntilNotSending(partitions, options.Value.HandOverTimeout))
        {
            LogHandOverTimedOut(Describe(partitions), options.Value.HandOverTimeout.TotalSeconds);
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
        _paused.ExceptWith(partitions);
    }

    private void Lost(List<TopicPartition> partitions)
    {
        LogLost(Describe(partitions));
        progress.Drop(partitions);
        delivered.Lost(partitions);
        _paused.ExceptWith(partitions);
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) => string.Join(", ", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));

    [LoggerMessage(Level = LogLevel.Information, Message = "dispatcher reads {Topic} as group {GroupId}")]
    private partial void LogStarted(string topic, string groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "dispatcher stopped reading {Topic}; offsets of finished records committed")]
    private partial void LogStopped(string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "dispatcher was assigned {Partitions}")]
    private partial void LogAssigned(string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "dispatcher gave up {Partitions}")]
    private partial void LogRevoked(string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dispatcher lost {Partitions} without a clean hand-over; their unfinished events are dropped here and read again by the new owner")]
    private partial void LogLost(string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Requests for {Partitions} were not answered within {Seconds} s of the hand-over; their events may be sent again by the new owner")]
    private partial void LogHandOverTimedOut(string partitions, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dispatcher paused {Partition}: {Unfinished} events read and unfinished (Dispatcher:MaxInFlightPerPartition)")]
    private partial void LogPaused(string partition, int unfinished);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dispatcher Kafka client error {Code}: {Reason}")]
    private partial void LogClientError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The schema registry did not answer; the record waits")]
    private partial void LogRegistryUnavailable(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A dead letter could not be written (attempt {Attempt}); the record waits")]
    private partial void LogDeadLetterFailed(Exception exception, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Deleted} delivered id(s) past Dispatcher:DeliveredRetention")]
    private partial void LogSwept(int deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sweep of delivered ids failed; it runs again later")]
    private partial void LogSweepFailed(Exception exception);
}
