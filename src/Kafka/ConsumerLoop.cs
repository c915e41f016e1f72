using System.Diagnostics;
using Avro.Specific;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streaming.Contracts;
using Streaming.Kafka.Avro;
using Streaming.Kafka.Reading;

namespace Streaming.Kafka;

/// <summary>
/// Reads one topic (or co-partitioned topics) in a consumer group through the <see cref="RecordReader{T}"/>
/// kernel, hands batches to a handler, and stores offsets only after the handler finished with them
/// (at-least-once). A record that can never be decoded goes to the dead-letter topic; one that cannot be
/// decoded yet waits with its partition paused while the others go on. A batch that fails (the handler
/// threw) is retried with backoff while its partitions are paused, so the group keeps its member and
/// nothing is skipped.
/// </summary>
public sealed partial class ConsumerLoop<T>(
    ConsumerLoopSettings settings,
    IRecordBatchHandler<T> handler,
    KafkaClientFactory clients,
    AvroSerdes serdes,
    DeadLetterPublisher deadLetters,
    ConsumerLags lags,
    ILogger<ConsumerLoop<T>> logger) : BackgroundService
    where T : class, ISpecificRecord
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RetryBase = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MinimumIdleWait = TimeSpan.FromMilliseconds(10);

    private readonly IPartitionAware? _partitionAware = handler as IPartitionAware;
    private readonly IPunctuated? _punctuated = handler as IPunctuated;
    private readonly IBacklogAware? _backlogAware = handler as IBacklogAware;
    private readonly DecodeRecord<T> _decode = Decoder(settings, serdes);
    private readonly ReaderLifecycle _lifecycle = new(logger, settings.Service);
    private RecordReader<T> _reader = null!;
    private Batch _batch = new();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PollingThread.Start(Run, stoppingToken);

    private void Run(CancellationToken stoppingToken)
    {
        using var consumer = BuildConsumer(stoppingToken);
        using var lag = lags.Member(settings.GroupId);
        _reader = new RecordReader<T>(consumer, settings.Service, _decode, SetAsideAsync, new RetryPolicy(RetryBase, settings.MaxRetryBackoff), logger)
        {
            Lag = lag,
            ShopOf = RecordScope.ShopOfKey,
        };
        consumer.Subscribe(settings.Topics.Select(t => t.Name));
        _lifecycle.Started(settings.TopicNames, settings.GroupId, clients.GroupInstanceId(settings.Service));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                _batch = new Batch();
                Collect(stoppingToken);
                if (_batch.Raw.Count > 0)
                {
                    // Waited for on this thread: the handler's own awaits still run on the pool.
                    HandleUntilDoneAsync(consumer, _batch, stoppingToken).GetAwaiter().GetResult();
                }

                Punctuate(stoppingToken);
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down, whatever the interrupted call threw: records not yet stored are read again
            // by whoever owns the partition next.
        }
        finally
        {
            // Close commits the stored offsets and hands the partitions over here. A dynamic member leaves the
            // group at once; a static one (Kafka:GroupInstanceId) does not, by design: its partitions wait for
            // it until the session timeout, so a restart gets them back, and a scale-down moves them only then.
            consumer.Close();
            _lifecycle.Stopped(settings.TopicNames, committed: true);
        }
    }

    private static DecodeRecord<T> Decoder(ConsumerLoopSettings settings, AvroSerdes serdes)
    {
        var byTopic = RecordDecoding.Avro(serdes, settings.Topics.ToDictionary(t => t.Name, t => t.ValueType));
        return async record => (T?)await byTopic(record).ConfigureAwait(false);
    }

    // A record nobody can read must not hold up the records behind it; its offset is stored with the batch.
    private async Task SetAsideAsync(ConsumeResult<byte[]?, byte[]> record, string reason, string error, CancellationToken cancellationToken)
    {
        await deadLetters.PublishAsync(record, settings.Service, reason, error, cancellationToken).ConfigureAwait(false);
        _batch.Raw.Add(record);
    }

    private IConsumer<byte[]?, byte[]> BuildConsumer(CancellationToken stoppingToken) =>
        clients.GroupMemberBuilder(settings.Service, settings.GroupId, coPartitioned: settings.Topics.Count > 1)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                if (partitions.Count > 0)
                {
                    _lifecycle.Assigned(partitions);
                    _reader.Backlog.Forget(partitions);
                    if (_partitionAware is not null)
                    {
                        _reader.Prepare(partitions, p => _partitionAware.OnAssigned(p, stoppingToken), stoppingToken);
                    }
                }
            })
            .SetPartitionsRevokedHandler((c, partitions) =>
            {
                var revoked = partitions.Select(p => p.TopicPartition).ToList();
                _lifecycle.Revoked(revoked);
                _reader.Forget(revoked);
                CommitStored(c);
                _partitionAware?.OnRevoked(revoked);
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                var lost = partitions.Select(p => p.TopicPartition).ToList();
                _lifecycle.Lost(lost);
                _reader.Forget(lost);
                _partitionAware?.OnLost(lost);
            })
            .SetErrorHandler((_, error) => _reader.Report(error))
            .Build();

    private void Punctuate(CancellationToken cancellationToken)
    {
        if (_punctuated is null)
        {
            return;
        }

        try
        {
            _punctuated.PunctuateAsync(cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever was due stays due: the next round tries it again.
            LogPunctuationFailed(e, settings.Service);
        }
    }

    private void Collect(CancellationToken cancellationToken)
    {
        var deadline = DateTime.MaxValue;
        while (_batch.Raw.Count < settings.MaxBatchSize && !cancellationToken.IsCancellationRequested)
        {
            var wait = _batch.Raw.Count == 0 ? IdleWait() : deadline - DateTime.UtcNow;
            // Past the deadline, take what is already fetched without waiting for more.
            var ready = new List<ConsumedRecord<T>>();
            var polled = _reader.Poll(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, ready, cancellationToken);
            _batch.AddRange(ready);
            if (!polled && ready.Count == 0)
            {
                return;
            }

            if (deadline == DateTime.MaxValue && _batch.Raw.Count > 0)
            {
                deadline = DateTime.UtcNow + settings.MaxBatchWait;
            }
        }
    }

    // An idle poll ends when the handler's next scheduled work is due, so that it is punctuated on time.
    private TimeSpan IdleWait() =>
        _punctuated?.DueIn() is { } due && due < IdlePoll ? (due > MinimumIdleWait ? due : MinimumIdleWait) : IdlePoll;

    private async Task HandleUntilDoneAsync(IConsumer<byte[]?, byte[]> consumer, Batch batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            batch.KeepOnly(consumer.Assignment);
            if (batch.Raw.Count == 0)
            {
                break;
            }

            try
            {
                var pending = batch.Decoded.Where(r => !r.Done).ToList();
                if (pending.Count > 0)
                {
                    using var activity = StartActivity(pending);
                    _backlogAware?.OnBacklog(_reader.Backlog.Behind(consumer));
                    await handler.HandleAsync(pending, cancellationToken).ConfigureAwait(false);
                }

                StoreOffsets(consumer, batch.Raw);
                break;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var backoff = RetryBackoff.Next(attempt, RetryBase, settings.MaxRetryBackoff, Random.Shared);
                LogBatchFailed(e, settings.Service, batch.Raw.Count, attempt, backoff.TotalSeconds);
                _reader.Pauses.Pause(consumer.Assignment, PauseReason.BatchRetry);
                WaitPolled(batch, backoff, cancellationToken);
            }
        }

        // Every partition paused for the retry, assigned or not: the pause flag outlives a revocation, and
        // a partition that comes back later would otherwise stay silent.
        _reader.Pauses.Resume(_reader.Pauses.PausedFor(PauseReason.BatchRetry), PauseReason.BatchRetry);
    }

    // Polling while paused serves rebalance callbacks and keeps this member in the group. Partitions
    // assigned meanwhile are not paused yet: what they deliver joins the batch and is paused too.
    private void WaitPolled(Batch batch, TimeSpan backoff, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + backoff;
        var ready = new List<ConsumedRecord<T>>();
        while (DateTime.UtcNow < until)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var left = until - DateTime.UtcNow;
            ready.Clear();
            _reader.Poll(left < IdlePoll ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : IdlePoll, ready, cancellationToken);
            batch.AddRange(ready);
            _reader.Pauses.Pause(ready.Select(r => r.Raw.TopicPartition).Distinct(), PauseReason.BatchRetry);
        }
    }

    private void StoreOffsets(IConsumer<byte[]?, byte[]> consumer, List<ConsumeResult<byte[]?, byte[]>> records)
    {
        foreach (var last in records.GroupBy(r => r.TopicPartition).Select(g => g.MaxBy(r => r.Offset.Value)!))
        {
            try
            {
                consumer.StoreOffset(last);
            }
            catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_State)
            {
                // The partition moved to another member meanwhile; it will read these records again.
                LogNotStored(settings.Service, last.TopicPartitionOffset.ToString());
            }
        }
    }

    private void CommitStored(IConsumer<byte[]?, byte[]> consumer)
    {
        try
        {
            consumer.Commit();
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_NoOffset)
        {
            // Nothing stored since the last commit.
        }
        catch (KafkaException e)
        {
            LogClientError(settings.Service, e.Error.Code, e.Error.Reason);
        }
    }

    private Activity? StartActivity(List<ConsumedRecord<T>> records)
    {
        // A batch has one parent, the trace of its first record (the one that opened the batch), and a
        // link to the trace of every other record, so each record's trace leads to the batch that handled it.
        var parent = records[0].Parent;
        var activity = PipelineTelemetry.ActivitySource.StartActivity(
            $"{settings.TopicNames} process", ActivityKind.Consumer, parent, links: RecordTrace.LinksBeside(parent, records.Select(r => r.Parent)));
        activity?.SetTag("messaging.system", "kafka");
        activity?.SetTag("messaging.destination.name", settings.TopicNames);
        activity?.SetTag("messaging.consumer.group.name", settings.GroupId);
        activity?.SetTag("messaging.batch.message_count", records.Count);
        return activity;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} Kafka client error {Code}: {Reason}")]
    private partial void LogClientError(string service, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} could not finish a batch of {Count} record(s) (attempt {Attempt}); trying again in {BackoffSeconds:0.#} s with its partitions paused")]
    private partial void LogBatchFailed(Exception exception, string service, int count, int attempt, double backoffSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} could not finish work that was due; trying again after the next poll")]
    private partial void LogPunctuationFailed(Exception exception, string service);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} did not store {Offset}: the partition is no longer assigned")]
    private partial void LogNotStored(string service, string offset);

    private sealed class Batch
    {
        /// <summary>Every record read and done with here, in order: all of them get their offsets stored once the batch is done.</summary>
        public List<ConsumeResult<byte[]?, byte[]>> Raw { get; } = [];

        public List<ConsumedRecord<T>> Decoded { get; } = [];

        public void AddRange(List<ConsumedRecord<T>> records)
        {
            foreach (var record in records)
            {
                Raw.Add(record.Raw);
                Decoded.Add(record);
            }
        }

        public void KeepOnly(IReadOnlyCollection<TopicPartition> assignment)
        {
            var owned = assignment.ToHashSet();
            Raw.RemoveAll(r => !owned.Contains(r.TopicPartition));
            Decoded.RemoveAll(r => !owned.Contains(r.Raw.TopicPartition));
        }
    }
}
