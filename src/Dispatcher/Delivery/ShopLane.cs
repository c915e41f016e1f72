using System.Threading.Channels;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Streaming.Dispatcher.Dedupe;
using Streaming.Dispatcher.Health;
using Streaming.Dispatcher.Pinterest;
using Streaming.ServiceDefaults.Shops;
using Streaming.Contracts;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// One shop's way to Pinterest: its events are gathered into requests (full, or after the linger), checked
/// against the delivered ids, sent under the ad account's rate limit, and retried here and nowhere else,
/// on the shop's own schedule. A shop that waits (backoff, Retry-After, a refused token) holds only its
/// own events: other shops have lanes of their own.
/// </summary>
public sealed partial class ShopLane : IAsyncDisposable
{
    private static readonly TimeSpan PausedRecheck = TimeSpan.FromSeconds(5);

    private readonly string _shop;
    private readonly Channel<PendingEvent> _queue = Channel.CreateUnbounded<PendingEvent>(new() { SingleReader = true });
    private readonly List<PendingEvent> _held = [];
    private readonly LaneServices _services;
    private readonly ILogger _logger;
    private readonly RateLimiter _rateLimit;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private bool _withMarket = true;
    private string? _refusedToken;
    private TaskCompletionSource _shopsChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ShopLane(string shop, RateLimiter rateLimit, LaneServices services)
    {
        _shop = shop;
        _rateLimit = rateLimit;
        _services = services;
        _logger = services.Logger;
        _worker = Task.Run(() => RunAsync(_stopping.Token));
    }

    public bool Paused => _refusedToken is not null;

    private DispatcherOptions Options => _services.Options;

    public void Enqueue(PendingEvent pending) => _queue.Writer.TryWrite(pending);

    /// <summary>The shop list was reloaded: a paused lane looks at its token again.</summary>
    public void ShopsChanged() => Interlocked.Exchange(ref _shopsChanged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        List<PendingEvent> batch = [];
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (batch.All(e => !e.Open))
                {
                    batch = await CollectAsync(cancellationToken);
                }

                await DeliverAsync(batch, cancellationToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Kafka would not take a delivery record or a dead letter, or a store write failed: the
                // events stay unfinished (their offsets unstored) and are tried again.
                var wait = Backoff.Next(++failures, Options.RetryBaseDelay, Options.MaxRetryBackoff, Random.Shared);
                LogLaneFailed(e, _shop, batch.Count(p => p.Open), wait.TotalSeconds);
                await Delay(wait, cancellationToken);
            }
        }
    }

    /// <summary>Waits for a first event, then gathers more until the request is full or the linger is over.</summary>
    private async Task<List<PendingEvent>> CollectAsync(CancellationToken cancellationToken)
    {
        var batch = new List<PendingEvent>();
        var max = Options.MaxEventsPerRequest;
        batch.AddRange(_held.Where(e => e.Open).Take(max));
        _held.RemoveAll(e => !e.Open || batch.Contains(e));
        if (batch.Count == 0)
        {
            batch.Add(await _queue.Reader.ReadAsync(cancellationToken));
        }

        using var linger = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        linger.CancelAfter(RemainingLinger(
            DateTimeOffset.FromUnixTimeMilliseconds(batch[0].Raw.Message.Timestamp.UnixTimestampMs), _services.Clock.GetUtcNow(), Options.Linger));
        while (batch.Count < max)
        {
            if (_queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                continue;
            }

            try
            {
                if (!await _queue.Reader.WaitToReadAsync(linger.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        return batch;
    }

    /// <summary>
    /// How long a request whose first event was written at <paramref name="written"/> still gathers. The
    /// linger counts from the write, so the hops before the dispatcher come out of it rather than on top of
    /// it. An event that arrives already older than the linger comes from a backlog (a catch-up after a
    /// pause, a replay), where full requests matter more than a few milliseconds: it gathers a whole linger.
    /// </summary>
    internal static TimeSpan RemainingLinger(DateTimeOffset written, DateTimeOffset now, TimeSpan linger)
    {
        var age = now - written;
        return age > TimeSpan.Zero && age < linger ? linger - age : linger;
    }

    private async Task DeliverAsync(List<PendingEvent> batch, CancellationToken cancellationToken)
    {
        var live = await DropTooOldAsync(batch.Where(e => e.Open).ToList(), cancellationToken);
        if (live.Count == 0)
        {
            return;
        }

        var shop = CurrentShop(live[0]);
        var adAccount = shop.Pinterest.AdAccountId;

        // The same id twice in one batch (an event the enricher wrote again after a partition move): the
        // first goes, the others follow its fate as duplicates.
        var first = live.GroupBy(e => e.Event.EventId).Select(g => g.First()).ToHashSet();
        var repeats = live.Where(e => !first.Contains(e)).ToList();
        live = [.. live.Where(first.Contains)];

        var accepted = await _services.Delivered.AcceptedAsync(
            live.Where(e => !e.Event.Resend).Select(e => (e.Partition.Partition.Value, DeliveredIds.Key(adAccount, e.Event.EventId))));
        var duplicates = live.Where(e => accepted.Contains((e.Partition.Partition.Value, DeliveredIds.Key(adAccount, e.Event.EventId)))).ToList();
        await _services.Log.FinishAsync(
            duplicates.Select(e => new Outcome(e, DeliveryStatus.Duplicate, "Pinterest already accepted this event id for the ad account.")).ToList(),
            cancellationToken);
        var toSend = live.Where(e => e.Open).ToList();

        if (toSend.Count > 0 && string.IsNullOrWhiteSpace(shop.Pinterest.ConversionToken))
        {
            var request = ConversionRequest.For(shop, toSend.Select(e => e.Event).ToList(), _services.BaseUrl, _withMarket);
            // The dry run stands in for Pinterest's answer: a hand-over or a stop waits for it as for a request,
            // so a line already written is also finished and committed, never written again by the next owner.
            _services.Progress.Sending(toSend, +1);
            try
            {
                await _services.DryRun.AppendAsync(request, toSend.Count, cancellationToken);
                await _services.Log.FinishAsync(toSend.Select(e => new Outcome(e, DeliveryStatus.DryRun)).ToList(), cancellationToken);
            }
            finally
            {
                _services.Progress.Sending(toSend, -1);
            }
        }
        else if (toSend.Count > 0)
        {
            await SendAsync(toSend, cancellationToken);
        }

        // Repeats of an id that went now are duplicates; repeats of one that did not are sent next time.
        var repeatsDone = repeats.Where(r => live.Any(l => l.Event.EventId == r.Event.EventId && l.Finished)).ToList();
        await _services.Log.FinishAsync(
            repeatsDone.Select(e => new Outcome(e, DeliveryStatus.Duplicate, "The same event id was read twice; it was sent once.")).ToList(),
            cancellationToken);
        _held.AddRange(repeats.Where(e => e.Open));
    }

    /// <summary>Sends until every event has Pinterest's final word; waits out whatever Pinterest asks it to.</summary>
    private async Task SendAsync(List<PendingEvent> events, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            await WhileRefusedAsync(events, cancellationToken);
            events = await DropTooOldAsync(events.Where(e => e.Open).ToList(), cancellationToken);
            if (events.Count == 0)
            {
                return;
            }

            var shop = CurrentShop(events[0]);
            var request = ConversionRequest.For(shop, events.Select(e => e.Event).ToList(), _services.BaseUrl, _withMarket);
            using var lease = await _rateLimit.AcquireAsync(1, cancellationToken);
            await _services.Concurrency.WaitAsync(cancellationToken);
            _services.Progress.Sending(events, +1);
            try
            {
                PinterestAnswer answer;
                try
                {
                    answer = await _services.Client.SendAsync(request, cancellationToken);
                }
                finally
                {
                    _services.Concurrency.Release();
                }

                events.ForEach(e => e.Attempts++);
                _services.Telemetry.PinterestRequests.Add(
                    1, new("outcome", answer.Kind.ToString()), new("http.response.status_code", answer.StatusCode), new("shop", _shop));
                TimeSpan wait;
                switch (answer.Kind)
                {
                    case AnswerKind.PerEvent:
                        await AnsweredAsync(events, answer, shop, cancellationToken);
                        return;
                    case AnswerKind.BadRequest when _withMarket && MentionsMarket(answer.Message):
                        // Pinterest's schema has no market fields: this ad account will not get them again.
                        _withMarket = false;
                        _services.Telemetry.MarketFieldsRefused.Add(1, new KeyValuePair<string, object?>("shop", _shop));
                        LogMarketRefused(_shop, answer.Message);
                        continue;
                    case AnswerKind.BadRequest when events.Count > 1:
                        // One bad event spoils the request: halve it until the bad ones stand alone.
                        var half = events.Count / 2;
                        await SendAsync(events.GetRange(0, half), cancellationToken);
                        await SendAsync(events.GetRange(half, events.Count - half), cancellationToken);
                        return;
                    case AnswerKind.BadRequest or AnswerKind.Rejected:
                        LogRejected(_shop, answer.StatusCode, events.Count, answer.Message);
                        await _services.Log.FinishAsync(
                            events.Select(e => new Outcome(e, DeliveryStatus.Rejected, answer.Message, DeliveryStatus.Reasons.Rejected(answer.StatusCode))).ToList(),
                            cancellationToken);
                        return;
                    case AnswerKind.Unauthorized:
                        Refused(shop, answer);
                        continue;
                    case AnswerKind.RampedDown:
                        wait = Max(Options.RampedDownBackoff, answer.RetryAfter);
                        break;
                    case AnswerKind.RateLimited when answer.RetryAfter is { } retryAfter:
                        wait = retryAfter < Options.MaxRetryAfter ? retryAfter : Options.MaxRetryAfter;
                        break;
                    default:
                        wait = Max(Backoff.Next(++failures, Options.RetryBaseDelay, Options.MaxRetryBackoff, Random.Shared), answer.RetryAfter);
                        if (wait > Options.MaxRetryAfter)
                        {
                            wait = Options.MaxRetryAfter;
                        }

                        break;
                }

                LogWaiting(_shop, answer.StatusCode, answer.Message, events.Count, wait.TotalSeconds);
                await Delay(wait, cancellationToken);
            }
            finally
            {
                _services.Progress.Sending(events, -1);
            }
        }
    }

    private async Task AnsweredAsync(List<PendingEvent> events, PinterestAnswer answer, ShopOptions shop, CancellationToken cancellationToken)
    {
        var errors = answer.EventErrors ?? [];
        var outcomes = events.Select((e, i) => i < errors.Count && errors[i] is { } error
            ? new Outcome(e, DeliveryStatus.Failed, error, DeliveryStatus.Reasons.EventFailed)
            : new Outcome(e, DeliveryStatus.Processed)).ToList();

        // Remembered before the offsets may move: an accepted id is never sent again, whatever happens next.
        // Also for a partition being handed over: the hand-over waits for this, so the next owner knows.
        var processed = outcomes.Where(o => o.Status == DeliveryStatus.Processed).Select(o => o.Pending);
        await _services.Delivered.RecordAsync(
            processed.Select(e => (e.Partition.Partition.Value, DeliveredIds.Key(shop.Pinterest.AdAccountId, e.Event.EventId), e.Event.ShopDomain)),
            cancellationToken);

        await _services.Log.FinishAsync(outcomes, cancellationToken);
        LogSent(_shop, outcomes.Count(o => o.Status == DeliveryStatus.Processed), events.Count, events.Max(e => e.Attempts));
    }

    private void Refused(ShopOptions shop, PinterestAnswer answer)
    {
        _refusedToken = shop.Pinterest.ConversionToken ?? "";
        var why = $"Pinterest answered {answer.StatusCode}: {answer.Message}";
        _services.Health.Pause(_shop, why);
        _services.Telemetry.ShopsPaused.Add(1, new KeyValuePair<string, object?>("shop", _shop));
        LogRefused(_shop, shop.Pinterest.AdAccountId, answer.StatusCode, answer.Message);
    }

    /// <summary>
    /// While Pinterest refuses the shop's token, its events are held (their offsets stay), those that grow
    /// too old are dead-lettered, and the token is looked at again whenever the configuration changes.
    /// </summary>
    private async Task WhileRefusedAsync(List<PendingEvent> current, CancellationToken cancellationToken)
    {
        while (_refusedToken is not null)
        {
            var token = _services.Shops.CurrentValue.Items.FirstOrDefault(s => ShopsOptions.Normalize(s.Domain) == _shop)?.Pinterest.ConversionToken ?? "";
            if (token != _refusedToken)
            {
                _refusedToken = null;
                _services.Health.Resume(_shop);
                LogResumed(_shop);
                return;
            }

            while (_queue.Reader.TryRead(out var next))
            {
                _held.Add(next);
            }

            await DropTooOldAsync(_held.Concat(current).Where(e => e.Open).ToList(), cancellationToken);
            _held.RemoveAll(e => !e.Open);
            var changed = _shopsChanged.Task;
            await Task.WhenAny(changed, Task.Delay(PausedRecheck, _services.Clock, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async Task<List<PendingEvent>> DropTooOldAsync(List<PendingEvent> events, CancellationToken cancellationToken)
    {
        var oldest = (_services.Clock.GetUtcNow() - Options.MaxEventAge).ToUnixTimeSeconds();
        var tooOld = events.Where(e => e.Event.EventTime < oldest).ToList();
        if (tooOld.Count > 0)
        {
            var message = $"event_time is more than {Options.MaxEventAge.TotalDays:0.##} day(s) old (Dispatcher:MaxEventAge); Pinterest would not count it.";
            await _services.Log.FinishAsync(
                tooOld.Select(e => new Outcome(e, DeliveryStatus.TooOld, message, DeliveryStatus.Reasons.TooOld)).ToList(), cancellationToken);
        }

        return tooOld.Count == 0 ? events : events.Where(e => e.Open).ToList();
    }

    private ShopOptions CurrentShop(PendingEvent pending) =>
        _services.Shops.CurrentValue.Items.FirstOrDefault(s => ShopsOptions.Normalize(s.Domain) == _shop) ?? pending.Shop;

    private static bool MentionsMarket(string message) =>
        message.Contains("market_id", StringComparison.Ordinal) || message.Contains("market_handle", StringComparison.Ordinal);

    private static TimeSpan Max(TimeSpan wait, TimeSpan? asked) => asked is { } a && a > wait ? a : wait;

    private Task Delay(TimeSpan wait, CancellationToken cancellationToken) => Task.Delay(wait, _services.Clock, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _worker;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent {Processed} of {Count} event(s) for {Shop} to Pinterest (attempts: {Attempts})")]
    private partial void LogSent(string shop, int processed, int count, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pinterest answered {Status} for {Shop} ({Message}); {Count} event(s) wait {Seconds:0.###} s and are sent again")]
    private partial void LogWaiting(string shop, int status, string message, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pinterest rejected {Count} event(s) for {Shop} with {Status}: {Message}; dead-lettered")]
    private partial void LogRejected(string shop, int status, int count, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pinterest refused the conversion token of {Shop} for ad account {AdAccountId} ({Status}: {Message}). Its events are held, not dropped, until the token is fixed: update Shops:N:Pinterest:ConversionToken and reload the configuration or restart")]
    private partial void LogRefused(string shop, string adAccountId, int status, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "The conversion token of {Shop} changed: its held events are sent again")]
    private partial void LogResumed(string shop);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pinterest refused the market fields for {Shop} ({Message}); its requests go without market_id and market_handle from now on")]
    private partial void LogMarketRefused(string shop, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lane of {Shop} could not finish {Count} event(s); trying again in {Seconds:0.#} s")]
    private partial void LogLaneFailed(Exception exception, string shop, int count, double seconds);
}
