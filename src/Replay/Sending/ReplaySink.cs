using Microsoft.Extensions.Options;
using Streaming.Dispatcher;
using Streaming.Enricher.Output;
using Streaming.Kafka;
using Streaming.Kafka.Topics;
using Streaming.Records;
using Streaming.Replay.Cli;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Replay.Sending;

/// <summary>
/// Decides, for each event a run found, whether it goes: not when Pinterest already accepted it (unless
/// <c>--resend</c>), not when it is too old for Pinterest's window by the time the dispatcher would send
/// it. What goes is written to pinterest.events with the run's mark, keyed like every event, so that the
/// dispatcher sends it under the shop's rate limits and its delivered-id store has the last word.
/// </summary>
public sealed class ReplaySink
{
    // The dispatcher refuses events older than MaxEventAge when it sends them; an event this close to the
    // edge would only become a too_old dead letter on the way.
    private static readonly TimeSpan WindowMargin = TimeSpan.FromMinutes(10);

    /// <summary>Too old for Pinterest's window by the time the dispatcher would send it.</summary>
    public static bool OutsideWindow(DateTimeOffset eventTime, DateTimeOffset now, TimeSpan maxEventAge) =>
        eventTime < now - maxEventAge + WindowMargin;

    private readonly ReplayRequest _request;
    private readonly AcceptedEvents _accepted;
    private readonly ReplayTally _tally;
    private readonly RecordPublisher _publisher;
    private readonly ShopDirectory<ReplayShop> _shops;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _maxEventAge;
    private readonly string _topic;
    private readonly HashSet<string>? _seen;
    private readonly Pace _pace;

    public ReplaySink(
        ReplayRequest request,
        AcceptedEvents accepted,
        ReplayTally tally,
        RecordPublisher publisher,
        ShopDirectory<ReplayShop> shops,
        IOptions<DispatcherOptions> dispatcher,
        IOptions<TopicsOptions> topics,
        TimeProvider clock,
        bool rememberSent)
    {
        _request = request;
        _accepted = accepted;
        _tally = tally;
        _publisher = publisher;
        _shops = shops;
        _clock = clock;
        _maxEventAge = dispatcher.Value.MaxEventAge;
        _topic = topics.Value[PinterestEvent.KafkaTopic].Name;
        _seen = rememberSent ? new HashSet<string>(StringComparer.Ordinal) : null;
        _pace = new Pace(request.MaxRate, clock);
    }

    /// <summary>
    /// Completes once the event is decided on and, if it goes, queued; the task it returns completes when
    /// Kafka has it. Events outside the run's shops or time range are not this run's and are not counted.
    /// </summary>
    public async Task<Task> OfferAsync(PinterestEvent pinterestEvent, CancellationToken cancellationToken)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(pinterestEvent.EventTime);
        if (!_request.Selects(pinterestEvent.ShopDomain) || !_request.InRange(at))
        {
            return Task.CompletedTask;
        }

        if (!_shops.TryFind(pinterestEvent.ShopDomain, out var shop))
        {
            _tally.Skip(ReplayTally.Skips.UnknownShop);
            return Task.CompletedTask;
        }

        if (OutsideWindow(at, _clock.GetUtcNow(), _maxEventAge))
        {
            _tally.Skip(ReplayTally.Skips.OutsideWindow);
            return Task.CompletedTask;
        }

        if (!_request.Resend && _accepted.Contains(shop.Pinterest.AdAccountId, pinterestEvent.EventId))
        {
            _tally.Skip(ReplayTally.Skips.AlreadyAccepted);
            return Task.CompletedTask;
        }

        if (_seen is not null && !_seen.Add(AcceptedEvents.Key(shop.Pinterest.AdAccountId, pinterestEvent.EventId)))
        {
            _tally.Skip(ReplayTally.Skips.RepeatedInRun);
            return Task.CompletedTask;
        }

        _tally.Sending(pinterestEvent.ShopDomain, pinterestEvent.EventName);
        if (_request.DryRun)
        {
            return Task.CompletedTask;
        }

        await _pace.WaitAsync(cancellationToken).ConfigureAwait(false);
        pinterestEvent.Replay = _request.Mark;
        pinterestEvent.Resend = _request.Resend;
        return await _publisher.EnqueueAsync(_topic, KafkaEnrichmentOutput.Key(pinterestEvent), pinterestEvent, cancellationToken).ConfigureAwait(false);
    }
}
