using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Streaming.Dispatcher.Pinterest;
using Streaming.Kafka.Reading;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// One shop's way to Pinterest: its events are gathered into requests (full, or after the linger), checked
/// against the delivered ids, packed within Dispatcher:MaxRequestBytes, sent under the ad account's rate
/// limit, and retried here and nowhere else, on the shop's own schedule. A shop that waits (backoff,
/// Retry-After, a refused token) holds only its own events: other shops have lanes of their own. What an
/// answer means is <see cref="AnswerPolicy"/>'s to decide; the lane carries it out.
/// </summary>
public sealed partial class ShopLane : IAsyncDisposable
{
    private static readonly TimeSpan PausedRecheck = TimeSpan.FromSeconds(5);

    private readonly string _shop;
    private readonly RateLimiter _rateLimit;
    private readonly ArrivalRate _arrivals;
    private readonly LaneInbox _inbox;
    private readonly EventScreen _screen;
    private readonly PinterestSender _sender;
    private readonly DryRunLog _dryRun;
    private readonly OutcomeRecorder _outcomes;
    private readonly IOptionsMonitor<ShopList<DispatcherShop>> _shops;
    private readonly DispatcherOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private bool _withMarket = true;
    private string? _refusedToken;
    private TaskCompletionSource _shopsChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ShopLane(
        string shop,
        RateLimiter rateLimit,
        ArrivalRate arrivals,
        EventScreen screen,
        PinterestSender sender,
        DryRunLog dryRun,
        OutcomeRecorder outcomes,
        IOptionsMonitor<ShopList<DispatcherShop>> shops,
        IOptions<DispatcherOptions> options,
        TimeProvider clock,
        ILogger<ShopLane> logger)
    {
        _shop = shop;
        _rateLimit = rateLimit;
        _arrivals = arrivals;
        _screen = screen;
        _sender = sender;
        _dryRun = dryRun;
        _outcomes = outcomes;
        _shops = shops;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _inbox = new LaneInbox(_options, clock);
        _worker = Task.Run(() => RunAsync(_stopping.Token));
    }

    public bool Paused => _refusedToken is not null;

    public void Enqueue(PendingEvent pending)
    {
        _arrivals.Arrived();
        _inbox.Enqueue(pending);
    }

    /// <summary>The shop list was reloaded: a paused lane looks at its token again.</summary>
    public void ShopsChanged() => Interlocked.Exchange(ref _shopsChanged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        List<PendingEvent> batch = [];
        using var shopScope = _logger.BeginScope(new Dictionary<string, object?> { ["Shop"] = _shop });
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (batch.All(e => !e.Open))
                {
                    batch = await _inbox.NextRequestAsync(Linger, cancellationToken);
                }

                using var eventScope = _logger.BeginScope(new Dictionary<string, object?> { ["EventIds"] = EventIds(batch) });
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
                var wait = RetryBackoff.Next(++failures, _options.RetryBaseDelay, _options.MaxRetryBackoff, Random.Shared);
                LogLaneFailed(e, _shop, batch.Count(p => p.Open), wait.TotalSeconds);
                await Delay(wait, cancellationToken);
            }
        }
    }

    private async Task DeliverAsync(List<PendingEvent> batch, CancellationToken cancellationToken)
    {
        var live = await _screen.DropTooOldAsync(batch, cancellationToken);
        if (live.Count == 0)
        {
            return;
        }

        var shop = CurrentShop(live[0]);
        var (first, repeats) = EventScreen.SplitRepeats(live);
        var toSend = await _screen.DropAcceptedAsync(shop.Pinterest.AdAccountId, first, cancellationToken);
        var withMarket = _withMarket;
        foreach (var request in RequestSize.Pack(toSend, e => ConversionRequest.Bytes(e.Event, withMarket), _options.MaxRequestBytes))
        {
            if (string.IsNullOrWhiteSpace(shop.Pinterest.ConversionToken))
            {
                await DryRunAsync(shop, request, cancellationToken);
            }
            else
            {
                await SendAsync(request, cancellationToken);
            }
        }

        _inbox.Hold(await _screen.FinishRepeatsAsync(repeats, first, cancellationToken));
    }

    private async Task DryRunAsync(DispatcherShop shop, List<PendingEvent> events, CancellationToken cancellationToken)
    {
        // The dry run stands in for Pinterest's answer: a hand-over or a stop waits for it as for a request,
        // so a line already written is also finished and committed, never written again by the next owner.
        using var sending = _outcomes.Sending(events);
        events = sending.Events;
        if (events.Count == 0)
        {
            return;
        }

        var response = await _dryRun.WriteAsync(shop, [.. events.Select(e => e.Event)], _withMarket, cancellationToken);
        var finish = (AnswerDecision.Finish)AnswerPolicy.Decide(response, events.Count, _withMarket, _options, _clock.GetUtcNow());
        await _outcomes.FinishAsync(events, finish.Fates, shop.Pinterest.AdAccountId, cancellationToken);
    }

    /// <summary>Sends until every event has Pinterest's final word; waits out whatever Pinterest asks it to.</summary>
    private async Task SendAsync(List<PendingEvent> events, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            await WhileRefusedAsync(events, cancellationToken);
            events = await _screen.DropTooOldAsync(events, cancellationToken);
            if (events.Count == 0)
            {
                return;
            }

            var shop = CurrentShop(events[0]);
            using var lease = await _rateLimit.AcquireAsync(1, cancellationToken);
            using var sending = _outcomes.Sending(events);
            events = sending.Events;
            if (events.Count == 0)
            {
                return;
            }

            var answer = await _sender.SendAsync(shop, events, _withMarket, cancellationToken);
            TimeSpan wait;
            switch (AnswerPolicy.Decide(answer, events.Count, _withMarket, _options))
            {
                case AnswerDecision.Finish finish:
                    var accepted = await _outcomes.FinishAsync(events, finish.Fates, shop.Pinterest.AdAccountId, cancellationToken);
                    LogSent(_shop, accepted, events.Count, events.Max(e => e.Attempts));
                    return;
                case AnswerDecision.ResendWithoutMarket:
                    _withMarket = false;
                    _outcomes.MarketRefused(_shop);
                    LogMarketRefused(_shop, answer.Message);
                    continue;
                case AnswerDecision.Split split:
                    await SendAsync(events.GetRange(0, split.At), cancellationToken);
                    await SendAsync(events.GetRange(split.At, events.Count - split.At), cancellationToken);
                    return;
                case AnswerDecision.DeadLetter rejected:
                    LogRejected(_shop, answer.StatusCode, events.Count, answer.Message);
                    await _outcomes.DeadLetterAsync(events, rejected, cancellationToken);
                    return;
                case AnswerDecision.PauseShop pause:
                    _refusedToken = shop.Pinterest.ConversionToken ?? "";
                    _outcomes.Paused(_shop, pause.Why);
                    LogRefused(_shop, shop.Pinterest.AdAccountId, answer.StatusCode, answer.Message);
                    continue;
                case AnswerDecision.RetryAfter retry:
                    wait = retry.Wait;
                    break;
                case AnswerDecision.RetryWithBackoff retry:
                    wait = retry.Wait(RetryBackoff.Next(++failures, _options.RetryBaseDelay, _options.MaxRetryBackoff, Random.Shared));
                    break;
                case var other:
                    throw new UnreachableException($"No lane knows how to carry out {other}.");
            }

            LogWaiting(_shop, answer.StatusCode, answer.Message, events.Count, wait.TotalSeconds);
            await Delay(wait, cancellationToken);
        }
    }

    /// <summary>
    /// While Pinterest refuses the shop's token, its events are held (their offsets stay), those that grow
    /// too old are dead-lettered, and the token is looked at again whenever the configuration changes.
    /// </summary>
    private async Task WhileRefusedAsync(List<PendingEvent> current, CancellationToken cancellationToken)
    {
        while (_refusedToken is not null)
        {
            var token = ConfiguredShop()?.Pinterest.ConversionToken ?? "";
            if (token != _refusedToken)
            {
                _refusedToken = null;
                _outcomes.Resumed(_shop);
                LogResumed(_shop);
                return;
            }

            await _screen.DropTooOldAsync(_inbox.HoldArrivals().Concat(current), cancellationToken);
            var changed = _shopsChanged.Task;
            await Task.WhenAny(changed, Task.Delay(PausedRecheck, _clock, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    // Decided when a request's first event is there: at once while the ad account is quiet, longer as it gets busy.
    private TimeSpan Linger() => _options.AdaptiveLinger
        ? AdaptiveLinger.Of(_arrivals.PerMinute(), _options.RequestsPerMinute, _options.Linger)
        : _options.Linger;

    private DispatcherShop? ConfiguredShop() => _shops.CurrentValue.Items.FirstOrDefault(s => Shop.Normalize(s.Domain) == _shop);
    // A line about a request names the events it carries (one event: its id), so each can be traced to it.
    private static string EventIds(List<PendingEvent> batch)
    {
        var open = batch.Where(e => e.Open).Select(e => e.Event.EventId).ToList();
        return open.Count <= 20 ? string.Join(",", open) : $"{string.Join(",", open.Take(20))},... ({open.Count - 20} more)";
    }


    private DispatcherShop CurrentShop(PendingEvent pending) => ConfiguredShop() ?? pending.Shop;

    private Task Delay(TimeSpan wait, CancellationToken cancellationToken) => Task.Delay(wait, _clock, cancellationToken);

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
