using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Streaming.Kafka.Reading;

/// <summary>
/// The reading kernel every Kafka reader of the pipeline polls through: it consumes, decodes, and decides
/// in one place what waits and what is set aside. A record that cannot be read yet (the schema registry
/// does not answer) waits with its partition paused, and the records behind it in that partition wait
/// too, so the order per partition holds; the other partitions go on and polling never stops, so a group
/// member keeps its membership and its rebalance callbacks are served. A record that can never be read
/// is set aside at once and blocks nothing. A missing topic or partition is waited for, with one log line.
/// Not thread-safe: one thread polls, as librdkafka wants.
/// </summary>
public sealed partial class RecordReader<T>(
    IConsumer<byte[]?, byte[]> consumer,
    string service,
    DecodeRecord<T> decode,
    SetAsideRecord setAside,
    RetryPolicy retry,
    ILogger logger)
    where T : class
{
    // How long a poll waits for a decode that is not answered at once (a schema id seen for the first
    // time); longer, and the record waits with its partition paused while polling goes on.
    private static readonly TimeSpan DecodeWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan InFlightPoll = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<TopicPartition, Waiting> _waiting = [];
    private readonly HashSet<TopicPartition> _unprepared = [];
    private readonly HashSet<ErrorCode> _reported = [];
    private Action<IReadOnlyList<TopicPartition>>? _prepare;
    private int _prepareFailures;
    private DateTime _prepareDue;
    private DateTime _unpreparedSince;

    public PartitionPauses Pauses { get; } = new(consumer);

    public IConsumer<byte[]?, byte[]> Consumer => consumer;

    /// <summary>How far behind the consumer is on each assigned partition.</summary>
    internal BacklogProbe Backlog { get; } = new();

    /// <summary>Where a group member reports its lag (<c>pipeline.consumer.lag</c>), measured at most once a second; null: not reported.</summary>
    public ConsumerLag? Lag { get; init; }

    /// <summary>The shop of a record before it is decoded, for the log scope of its handling; null where the reader cannot tell.</summary>
    public Func<ConsumeResult<byte[]?, byte[]>, string?>? ShopOf { get; init; }

    /// <summary>
    /// Called on every record before it is decoded; false leaves it out (past the end of what the caller
    /// reads). Set once, before the first poll.
    /// </summary>
    public Func<ConsumeResult<byte[]?, byte[]>, bool>? Admit { get; init; }

    /// <summary>Whether records of <paramref name="partition"/> wait (to be decoded, or for the partition to be prepared).</summary>
    public bool HasWaiting(TopicPartition partition) => _waiting.ContainsKey(partition);

    /// <summary>
    /// The offset of the first record of <paramref name="partition"/> that waits, if any: the consumer's
    /// position is past it, yet the application has not seen it.
    /// </summary>
    public long? WaitingFrom(TopicPartition partition) =>
        _waiting.TryGetValue(partition, out var waiting) && waiting.Records.TryPeek(out var first) ? first.Offset.Value : null;

    /// <summary>
    /// Polls once, waiting at most <paramref name="wait"/>, and adds to <paramref name="ready"/> the records
    /// that may go to the application now, in partition order: a record just read, and records that waited
    /// and can be read now. False when no record came from the broker.
    /// </summary>
    public bool Poll(TimeSpan wait, List<ConsumedRecord<T>> ready, CancellationToken cancellationToken)
    {
        var before = ready.Count;
        Lag?.MeasureWhenDue(Backlog, consumer);
        PrepareWhenDue(cancellationToken);
        ReleaseDue(ready, cancellationToken);
        var result = Consume(ready.Count > before ? TimeSpan.Zero : Bounded(wait));
        if (result is null)
        {
            return false;
        }

        if (Admit is null || Admit(result))
        {
            using var scope = Scope(result);
            Offer(result, ready, cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Readies newly assigned partitions for the application (restores their state) from within the
    /// rebalance callback. When that fails (a topic it restores from is missing), their records wait, it is
    /// tried again with backoff, and the host keeps running.
    /// </summary>
    public void Prepare(IReadOnlyList<TopicPartition> partitions, Action<IReadOnlyList<TopicPartition>> prepare, CancellationToken cancellationToken)
    {
        _prepare = prepare;
        try
        {
            prepare(partitions);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            if (_unprepared.Count == 0)
            {
                _unpreparedSince = DateTime.UtcNow;
                _prepareFailures = 0;
            }

            _unprepared.UnionWith(partitions);
            _prepareFailures++;
            _prepareDue = DateTime.UtcNow + retry.Next(_prepareFailures);
            LogNotPrepared(service, ReaderLifecycle.Describe(partitions), e.Message);
        }
    }

    /// <summary>Partitions that left this member: what waits of them is dropped (their next owner reads it), their pauses cleared.</summary>
    public void Forget(IReadOnlyCollection<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _waiting.Remove(partition);
            _unprepared.Remove(partition);
        }

        Pauses.Forget(partitions);
        Backlog.Forget(partitions);
    }

    /// <summary>A client error from the consumer's error callback or a poll: each kind is logged once until records flow again.</summary>
    public void Report(Error error)
    {
        if (!_reported.Add(error.Code))
        {
            return;
        }

        if (error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownPartition or ErrorCode.Local_UnknownTopic)
        {
            LogWaitingForTopic(service, error.Reason);
        }
        else
        {
            LogClientError(service, error.Code, error.Reason);
        }
    }

    private TimeSpan Bounded(TimeSpan wait)
    {
        if (_waiting.Count == 0)
        {
            return wait;
        }

        // A record that waits is tried again on time, and a decode under way is noticed soon after it is done.
        var next = _waiting.Values.Min(w => w.InFlight is not null ? DateTime.UtcNow + InFlightPoll : w.Due) - DateTime.UtcNow;
        return next < wait ? (next > TimeSpan.Zero ? next : TimeSpan.Zero) : wait;
    }

    private ConsumeResult<byte[]?, byte[]>? Consume(TimeSpan wait)
    {
        try
        {
            var result = consumer.Consume(wait);
            if (result is not null && _reported.Count > 0)
            {
                _reported.Clear();
            }

            return result;
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            Report(e.Error);
            return null;
        }
    }

    private void Offer(ConsumeResult<byte[]?, byte[]> result, List<ConsumedRecord<T>> ready, CancellationToken cancellationToken)
    {
        var partition = result.TopicPartition;
        if (_waiting.TryGetValue(partition, out var waiting))
        {
            // Fetched before the pause took hold: it stands behind the one that waits.
            waiting.Records.Enqueue(result);
            return;
        }

        if (_unprepared.Contains(partition))
        {
            Wait(partition, result);
            return;
        }

        var decoding = Start(result);
        if (!decoding.IsCompleted)
        {
            Task.WaitAny([decoding], (int)DecodeWait.TotalMilliseconds, cancellationToken);
        }

        if (!decoding.IsCompleted)
        {
            Wait(partition, result).InFlight = decoding;
        }
        else if (Settle(result, decoding, ready, cancellationToken) is { } error)
        {
            Failed(partition, Wait(partition, result), error);
        }
    }

    private Waiting Wait(TopicPartition partition, ConsumeResult<byte[]?, byte[]> first)
    {
        var waiting = new Waiting();
        waiting.Records.Enqueue(first);
        _waiting[partition] = waiting;
        Pauses.Pause([partition], PauseReason.RecordWaits);
        return waiting;
    }

    private void ReleaseDue(List<ConsumedRecord<T>> ready, CancellationToken cancellationToken)
    {
        if (_waiting.Count == 0)
        {
            return;
        }

        foreach (var (partition, waiting) in _waiting.ToList())
        {
            if (_unprepared.Contains(partition))
            {
                continue;
            }

            while (waiting.Records.TryPeek(out var head))
            {
                using var scope = Scope(head);
                if (waiting.InFlight is null)
                {
                    if (DateTime.UtcNow < waiting.Due)
                    {
                        break;
                    }

                    waiting.InFlight = Start(head);
                }

                if (!waiting.InFlight.IsCompleted)
                {
                    break;
                }

                var decoding = waiting.InFlight;
                waiting.InFlight = null;
                if (Settle(head, decoding, ready, cancellationToken) is { } error)
                {
                    Failed(partition, waiting, error);
                    break;
                }

                waiting.Records.Dequeue();
            }

            if (waiting.Records.Count == 0)
            {
                _waiting.Remove(partition);
                Pauses.Resume([partition], PauseReason.RecordWaits);
                if (waiting.Failures > 0)
                {
                    LogGoesOn(service, ReaderLifecycle.Describe([partition]), (DateTime.UtcNow - waiting.Since).TotalSeconds);
                }
            }
        }
    }

    /// <summary>Hands the record on or sets it aside; the error when it must wait and be tried again.</summary>
    private Exception? Settle(ConsumeResult<byte[]?, byte[]> result, Task<T?> decoding, List<ConsumedRecord<T>> ready, CancellationToken cancellationToken)
    {
        if (decoding.IsCompletedSuccessfully)
        {
            if (decoding.Result is { } value)
            {
                ready.Add(new ConsumedRecord<T>(result, value));
            }

            return null;
        }

        var error = decoding.Exception?.GetBaseException() ?? new TaskCanceledException(decoding);
        if (RecordDecoding.Unreadable(error) is not { } reason)
        {
            return error;
        }

        try
        {
            setAside(result, reason, error.Message, cancellationToken).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return e;
        }
    }

    private void Failed(TopicPartition partition, Waiting waiting, Exception error)
    {
        waiting.Failures++;
        var backoff = retry.Next(waiting.Failures);
        waiting.Due = DateTime.UtcNow + backoff;
        if (waiting.Failures == 1)
        {
            LogRecordWaits(service, ReaderLifecycle.Describe([partition]), waiting.Records.Peek().Offset.Value, error.Message);
        }
        else
        {
            LogStillWaiting(service, ReaderLifecycle.Describe([partition]), waiting.Failures, backoff.TotalSeconds, error.Message);
        }
    }

    private void PrepareWhenDue(CancellationToken cancellationToken)
    {
        if (_unprepared.Count == 0 || DateTime.UtcNow < _prepareDue || _prepare is null)
        {
            return;
        }

        var partitions = _unprepared.ToList();
        try
        {
            _prepare(partitions);
            _unprepared.Clear();
            LogPrepared(service, ReaderLifecycle.Describe(partitions), (DateTime.UtcNow - _unpreparedSince).TotalSeconds);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            _prepareFailures++;
            _prepareDue = DateTime.UtcNow + retry.Next(_prepareFailures);
            LogStillNotPrepared(service, ReaderLifecycle.Describe(partitions), e.Message);
        }
    }

    private IDisposable? Scope(ConsumeResult<byte[]?, byte[]> record) => RecordScope.Begin(logger, record, ShopOf?.Invoke(record));

    private Task<T?> Start(ConsumeResult<byte[]?, byte[]> result)
    {
        try
        {
            return decode(result);
        }
        catch (Exception e)
        {
            return Task.FromException<T?>(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: a record of {Partition} at offset {Offset} cannot be read yet ({Error}); the partition waits, paused, and the others go on")]
    private partial void LogRecordWaits(string service, string partition, long offset, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Service}: {Partition} still waits (attempt {Attempt}, next in {BackoffSeconds:0.#} s): {Error}")]
    private partial void LogStillWaiting(string service, string partition, int attempt, double backoffSeconds, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service}: {Partition} goes on after waiting {Seconds:0.#} s")]
    private partial void LogGoesOn(string service, string partition, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} waits for a topic or partition that does not exist yet ({Reason}); it reads as soon as it exists")]
    private partial void LogWaitingForTopic(string service, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} Kafka client error {Code}: {Reason}")]
    private partial void LogClientError(string service, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} cannot get ready for {Partitions} yet ({Error}); their records wait and it tries again (a topic it restores from may not exist yet)")]
    private partial void LogNotPrepared(string service, string partitions, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Service} still cannot get ready for {Partitions}: {Error}")]
    private partial void LogStillNotPrepared(string service, string partitions, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} is ready for {Partitions} after waiting {Seconds:0.#} s")]
    private partial void LogPrepared(string service, string partitions, double seconds);

    /// <summary>The records of one partition that wait, oldest first, and when the first is tried again.</summary>
    private sealed class Waiting
    {
        public Queue<ConsumeResult<byte[]?, byte[]>> Records { get; } = new();

        public Task<T?>? InFlight { get; set; }

        public int Failures { get; set; }

        public DateTime Due { get; set; }

        public DateTime Since { get; } = DateTime.UtcNow;
    }
}
