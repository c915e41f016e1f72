using System.Diagnostics;
using System.Net;
using System.Text;
using Avro;
using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Context.Propagation;
using Streaming.Kafka.Avro;
using Streaming.Contracts;

namespace Streaming.Kafka;

/// <summary>
/// Reads one topic (or co-partitioned topics) in a consumer group, decodes Avro values, hands batches to a handler, and stores
/// offsets only after the handler finished with them (at-least-once). A record that can never be decoded
/// goes to the dead-letter topic. A batch that fails (the handler threw, the registry or the dead-letter
/// topic was unreachable) is retried with backoff while the partitions are paused, so the group keeps its
/// member and nothing is skipped.
/// </summary>
public sealed partial class ConsumerLoop<T>(
    ConsumerLoopSettings settings,
    IRecordBatchHandler<T> handler,
    KafkaClientFactory clients,
    AvroSerdes serdes,
    DeadLetterPublisher deadLetters,
    ILogger<ConsumerLoop<T>> logger) : BackgroundService
    where T : class, ISpecificRecord
{
    private readonly Dictionary<string, Type> _valueTypes = settings.Topics.ToDictionary(t => t.Name, t => t.ValueType);
    private readonly IPartitionAware? _partitionAware = handler as IPartitionAware;
    private readonly IPunctuated? _punctuated = handler as IPunctuated;
    private readonly IBacklogAware? _backlogAware = handler as IBacklogAware;
    private readonly BacklogProbe _backlog = new();

    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);

    // Consume blocks. On a thread of its own it cannot starve the thread pool, whose few threads (two on
    // a two-core machine) serve every HTTP request of a process that also runs Ingest.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        using var consumer = BuildConsumer(stoppingToken);
        consumer.Subscribe(settings.Topics.Select(t => t.Name));
        LogStarted(settings.Service, settings.TopicNames, settings.GroupId);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var batch = new Batch();
                Collect(consumer, batch, stoppingToken);
                if (batch.Raw.Count > 0)
                {
                    // Waited for on this thread: the handler's own awaits still run on the pool.
                    HandleUntilDoneAsync(consumer, batch, stoppingToken).GetAwaiter().GetResult();
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
            // Close commits the stored offsets and leaves the group at once instead of after a timeout.
            consumer.Close();
            LogStopped(settings.Service, settings.TopicNames);
        }
    }

    private IConsumer<byte[]?, byte[]> BuildConsumer(CancellationToken stoppingToken) =>
        clients.ConsumerBuilder($"{settings.Service}-{Environment.MachineName}", settings.GroupId, coPartitioned: settings.Topics.Count > 1)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                if (partitions.Count > 0)
                {
                    LogAssigned(settings.Service, Describe(partitions));
                    _backlog.Forget(partitions);
                    _partitionAware?.OnAssigned(partitions, stoppingToken);
                }
            })
            .SetPartitionsRevokedHandler((c, partitions) =>
            {
                var revoked = partitions.Select(p => p.TopicPartition).ToList();
                LogRevoked(settings.Service, Describe(revoked));
                _backlog.Forget(revoked);
                CommitStored(c);
                _partitionAware?.OnRevoked(revoked);
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                var lost = partitions.Select(p => p.TopicPartition).ToList();
                LogLost(settings.Service, Describe(lost));
                _backlog.Forget(lost);
                _partitionAware?.OnLost(lost);
            })
            .SetErrorHandler((_, error) => LogClientError(settings.Service, error.Code, error.Reason))
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

    private void Collect(IConsumer<byte[]?, byte[]> consumer, Batch batch, CancellationToken cancellationToken)
    {
        var deadline = DateTime.MaxValue;
        while (batch.Raw.Count < settings.MaxBatchSize && !cancellationToken.IsCancellationRequested)
        {
            var wait = batch.Raw.Count == 0 ? IdlePoll : deadline - DateTime.UtcNow;
            // Past the deadline, take what is already fetched without waiting for more.
            var result = Consume(consumer, wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
            if (result is null)
            {
                return;
            }

            if (batch.Raw.Count == 0)
            {
                deadline = DateTime.UtcNow + settings.MaxBatchWait;
            }

            batch.Add(result);
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
            LogClientError(settings.Service, e.Error.Code, e.Error.Reason);
            return null;
        }
    }

    private async Task HandleUntilDoneAsync(IConsumer<byte[]?, byte[]> consumer, Batch batch, CancellationToken cancellationToken)
    {
        var paused = new List<TopicPartition>();
        for (var attempt = 1; ; attempt++)
        {
            batch.KeepOnly(consumer.Assignment);
            if (batch.Raw.Count == 0)
            {
                break;
            }

            try
            {
                await DecodeAsync(batch, cancellationToken).ConfigureAwait(false);
                var pending = batch.Decoded.Where(r => !r.Done).ToList();
                if (pending.Count > 0)
                {
                    using var activity = StartActivity(pending);
                    _backlogAware?.OnBacklog(_backlog.Behind(consumer));
                    await handler.HandleAsync(pending, cancellationToken).ConfigureAwait(false);
                }

                StoreOffsets(consumer, batch.Raw);
                break;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var backoff = Backoff(attempt);
                LogBatchFailed(e, settings.Service, batch.Raw.Count, attempt, backoff.TotalSeconds);
                var assignment = consumer.Assignment;
                consumer.Pause(assignment);
                paused.AddRange(assignment);
                WaitPolled(consumer, batch, paused, backoff, cancellationToken);
            }
        }

        if (paused.Count > 0)
        {
            // Every partition paused here, assigned or not: the pause flag outlives a revocation, and a
            // partition that comes back later would otherwise stay silent.
            consumer.Resume(paused.Distinct());
        }
    }

    private async Task DecodeAsync(Batch batch, CancellationToken cancellationToken)
    {
        while (batch.Undecoded.TryPeek(out var result))
        {
            var (value, error) = await TryDecodeAsync(result).ConfigureAwait(false);
            if (value is not null)
            {
                batch.Decoded.Add(new ConsumedRecord<T>(result, value));
            }
            else
            {
                // A record nobody can read must not hold up the records behind it.
                await deadLetters.PublishAsync(result, settings.Service, "undeserializable", error!, cancellationToken).ConfigureAwait(false);
            }

            batch.Undecoded.Dequeue();
        }
    }

    /// <summary>The value, or why it can never be read. Throws when reading may work later (registry unreachable).</summary>
    private async Task<(T? Value, string? Error)> TryDecodeAsync(ConsumeResult<byte[]?, byte[]> result)
    {
        if (result.Message.Value is not { Length: > 0 } bytes)
        {
            return (null, "The record has no value (a tombstone or an empty record).");
        }

        try
        {
            return ((T)await serdes.DeserializeAsync(_valueTypes[result.Topic], bytes, result.Topic).ConfigureAwait(false), null);
        }
        catch (Exception e) when (AvroSerdes.IsUndecodable(e))
        {
            return (null, e.Message);
        }
    }

    // Polling while paused serves rebalance callbacks and keeps this member in the group. Partitions
    // assigned meanwhile are not paused yet: what they deliver joins the batch and is paused too.
    private void WaitPolled(
        IConsumer<byte[]?, byte[]> consumer, Batch batch, List<TopicPartition> paused, TimeSpan backoff, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + backoff;
        while (DateTime.UtcNow < until)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var left = until - DateTime.UtcNow;
            var result = Consume(consumer, left < IdlePoll ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : IdlePoll);
            if (result is not null)
            {
                consumer.Pause([result.TopicPartition]);
                paused.Add(result.TopicPartition);
                batch.Add(result);
            }
        }
    }

    // Jitter keeps the members of a group from retrying against a recovering service in lockstep.
    private TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(settings.MaxRetryBackoff.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(attempt - 1, 16)))
                                  * (0.8 + (0.4 * Random.Shared.NextDouble())));

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
        // A batch has one parent: the trace of its first record, the one that opened the batch.
        var parent = Propagators.DefaultTextMapPropagator.Extract(
            default,
            records[0].Raw.Message.Headers,
            static (headers, name) => headers is not null && headers.TryGetLastBytes(name, out var bytes) ? [Encoding.UTF8.GetString(bytes)] : []);
        var activity = PipelineTelemetry.ActivitySource.StartActivity($"{settings.TopicNames} process", ActivityKind.Consumer, parent.ActivityContext);
        activity?.SetTag("messaging.system", "kafka");
        activity?.SetTag("messaging.destination.name", settings.TopicNames);
        activity?.SetTag("messaging.consumer.group.name", settings.GroupId);
        activity?.SetTag("messaging.batch.message_count", records.Count);
        return activity;
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(", ", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} reads {Topic} as group {GroupId}")]
    private partial void LogStarted(string service, string topic, string groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} stopped reading {Topic}; stored offsets committed")]
    private partial void LogStopped(string service, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} was assigned {Partitions}")]
    private partial void LogAssigned(string service, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} gave up {Partitions}")]
    private partial void LogRevoked(string service, string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} lost {Partitions} without a clean hand-over; their unstored records will be read again")]
    private partial void LogLost(string service, string partitions);

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
        /// <summary>Every record read, in order: all of them get their offsets stored once the batch is done.</summary>
        public List<ConsumeResult<byte[]?, byte[]>> Raw { get; } = [];

        public Queue<ConsumeResult<byte[]?, byte[]>> Undecoded { get; } = new();

        public List<ConsumedRecord<T>> Decoded { get; } = [];

        public void Add(ConsumeResult<byte[]?, byte[]> result)
        {
            Raw.Add(result);
            Undecoded.Enqueue(result);
        }

        public void KeepOnly(IReadOnlyCollection<TopicPartition> assignment)
        {
            var owned = assignment.ToHashSet();
            Raw.RemoveAll(r => !owned.Contains(r.TopicPartition));
            Decoded.RemoveAll(r => !owned.Contains(r.Raw.TopicPartition));
            var undecoded = Undecoded.Where(r => owned.Contains(r.TopicPartition)).ToList();
            Undecoded.Clear();
            undecoded.ForEach(Undecoded.Enqueue);
        }
    }
}
