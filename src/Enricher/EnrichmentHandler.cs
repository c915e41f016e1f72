using System.Collections.Concurrent;
using System.Text.Json;
using Avro.Specific;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Enricher.Carts;
using Streaming.Enricher.Orders;
using Streaming.Enricher.Output;
using Streaming.Enricher.Sessions;
using Streaming.Enricher.Stitching;
using Streaming.Enricher.Storefront;
using Streaming.Kafka.Avro;
using Streaming.Kafka;
using Streaming.Kafka.Topics;
using Streaming.ServiceDefaults.Shops;
using Streaming.Kafka.State;
using Streaming.Contracts;
using Streaming.Records;
using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher;

/// <summary>
/// The enricher's work on a batch of webhooks and storefront events of the partitions it owns: sessions
/// recorded, server events joined to them (or waiting for them through the grace period), events written.
/// A batch's state changes are committed (changelog, then disk) only after its events are acknowledged,
/// and rolled back when anything fails, so a retried batch starts from the state it started from.
/// </summary>
public sealed partial class EnrichmentHandler : IRecordBatchHandler<ISpecificRecord>, IPartitionAware, IPunctuated, IBacklogAware, IDisposable
{
    private const int MaxSentOrders = 50;
    private const int SweepSlice = 10_000;

    private readonly ShopDirectory _shops;
    private readonly IEnrichmentOutput _output;
    private readonly AvroSerdes _serdes;
    private readonly EnricherOptions _options;
    private readonly PipelineTelemetry _telemetry;
    private readonly TimeProvider _clock;
    private readonly ILogger<EnrichmentHandler> _logger;
    private readonly string _eventsTopic;
    private readonly PartitionStores _stores;
    private readonly ConcurrentDictionary<int, long> _streamTime = new();
    private readonly ConcurrentDictionary<TopicPartition, long> _inputTime = new();
    private IReadOnlySet<TopicPartition> _behind = new HashSet<TopicPartition>();
    private readonly WaitingRoom _waiting = new();
    private readonly Dictionary<int, string?> _sweepCursor = [];
    private DateTimeOffset _nextSweep;

    public EnrichmentHandler(
        ShopDirectory shops,
        RecordPublisher publisher,
        IEnrichmentOutput output,
        AvroSerdes serdes,
        ChangelogRestorer restorer,
        IOptions<TopicsOptions> topics,
        IOptions<EnricherOptions> options,
        PipelineTelemetry telemetry,
        TimeProvider clock,
        ILogger<EnrichmentHandler> logger)
    {
        _shops = shops;
        _output = output;
        _serdes = serdes;
        _options = options.Value;
        _telemetry = telemetry;
        _clock = clock;
        _logger = logger;
        _eventsTopic = topics.Value[PinterestEvent.KafkaTopic].Name;
        ChangelogTopic = topics.Value[EnricherState.KafkaTopic].Name;
        // One directory per group: instances of different groups on one machine never share a store.
        _stores = new PartitionStores(
            "enricher-state", _options.StateChangelog ? ChangelogTopic : null, Path.Combine(_options.State.Directory, _options.GroupId), _options.State, publisher, restorer, logger);
        _nextSweep = clock.GetUtcNow() + _options.ExpirySweepInterval;
        telemetry.Observe("pipeline.enricher.state.partitions", "{partition}", "Partitions whose state this instance holds.", () => _stores.Open.Count);
    }

    public string ChangelogTopic { get; }

    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<ISpecificRecord>> batch, CancellationToken cancellationToken)
    {
        await CompleteAsync(async work =>
        {
            // Partitions share nothing but the process (their state, waiting events and stream time are
            // their own), so each is handled on its own, side by side, like Kafka Streams' tasks.
            var lanes = InEventTimeOrder(batch)
                .GroupBy(r => r.Raw.Partition.Value)
                .Select(g => (Partition: g.Key, Records: g.ToList(), Work: new Work()))
                .ToList();
            try
            {
                await Task.WhenAll(lanes.Select(lane => Task.Run(() => HandlePartitionAsync(lane.Partition, lane.Records, lane.Work, cancellationToken), cancellationToken)));
            }
            finally
            {
                // Also on failure: what a lane touched is rolled back with the batch.
                lanes.ForEach(lane => work.Absorb(lane.Work));
            }
        }, cancellationToken);

        foreach (var record in batch)
        {
            record.MarkDone();
        }
    }

    private async Task HandlePartitionAsync(int partition, List<ConsumedRecord<ISpecificRecord>> records, Work work, CancellationToken cancellationToken)
    {
        var states = work.States(partition, States);
        work.Touched.Add(partition);
        var lagging = _behind.Where(p => p.Partition.Value == partition).ToList();
        var left = records.CountBy(r => r.Raw.Topic).ToDictionary();
        foreach (var record in records)
        {
            var at = record.Raw.Message.Timestamp.UnixTimestampMs;
            left[record.Raw.Topic]--;
            _inputTime.AddOrUpdate(record.Raw.TopicPartition, at, (_, seen) => Math.Max(seen, at));
            var candidate = StreamTimeCandidate(at, lagging, left);
            var streamTime = _streamTime.AddOrUpdate(partition, candidate, (_, seen) => Math.Max(seen, candidate));
            if (_waiting.AnyDue(partition, streamTime))
            {
                // Stream time passed a grace period: what waited goes before this record is handled.
                await ReleaseDueAsync(states, work, byWallClock: false);
            }

            await HandleOneAsync(record, states, at, work, cancellationToken);
        }
    }

    /// <summary>
    /// How far stream time may go with a record at <paramref name="at"/>: no further than an input of the
    /// partition that has no more records in this batch but unread ones on the broker. Its next record is
    /// no older than the last one it gave, so a session still unread there cannot be overtaken by the end
    /// of a grace period counted on the other input. An input with records left in the batch is no bound:
    /// the batch is merged by timestamp, so they are not older than <paramref name="at"/>.
    /// </summary>
    private long StreamTimeCandidate(long at, List<TopicPartition> lagging, Dictionary<string, int> left)
    {
        var candidate = at;
        foreach (var input in lagging)
        {
            if (left.GetValueOrDefault(input.Topic) == 0)
            {
                candidate = Math.Min(candidate, _inputTime.GetValueOrDefault(input, long.MinValue));
            }
        }

        return candidate;
    }

    public void OnBacklog(IReadOnlySet<TopicPartition> behind) => _behind = behind;

    /// <summary>
    /// The records of co-partitioned topics merged by timestamp, each topic partition kept in its own
    /// order: a storefront event and a webhook of one cart are handled in the order they happened, not
    /// in the order their topics were fetched.
    /// </summary>
    private static IEnumerable<ConsumedRecord<ISpecificRecord>> InEventTimeOrder(IReadOnlyList<ConsumedRecord<ISpecificRecord>> batch)
    {
        var queues = batch.GroupBy(r => r.Raw.TopicPartition).Select(g => new Queue<ConsumedRecord<ISpecificRecord>>(g)).ToList();
        while (queues.Count > 0)
        {
            var next = queues.MinBy(q => q.Peek().Raw.Message.Timestamp.UnixTimestampMs)!;
            yield return next.Dequeue();
            if (next.Count == 0)
            {
                queues.Remove(next);
            }
        }
    }

    private async Task HandleOneAsync(ConsumedRecord<ISpecificRecord> record, CartStates states, long at, Work work, CancellationToken cancellationToken)
    {
        var (topic, shopDomain, occurredAt) = record.Value switch
        {
            ShopifyWebhook w => (w.Topic, w.ShopDomain, w.ReceivedAt),
            StorefrontEvent e => (Outcomes.StorefrontInput(e.EventName), e.ShopDomain, e.OccurredAt),
            _ => ("unknown", "", default),
        };
        if (!_shops.TryFind(shopDomain, out var shop))
        {
            await DeadLetterAsync(record, Outcomes.DeadLettered(shopDomain, topic, RecordOutcomes.Reasons.UnknownShop, occurredAt), $"No shop '{shopDomain}' is configured.", cancellationToken);
            return;
        }

        try
        {
            var outcome = record.Value switch
            {
                ShopifyWebhook webhook => await HandleWebhookAsync(webhook, shop, states, at, work),
                StorefrontEvent storefrontEvent => await HandleStorefrontAsync(storefrontEvent, shop, states, at, work),
                _ => throw new UnmappableWebhookException($"The enricher cannot read {record.Value.GetType().Name} records."),
            };
            work.Outcomes.Add((topic, outcome));
        }
        catch (Exception e) when (e is UnmappableWebhookException or JsonException)
        {
            // Whatever the record did to the mappers, it will do it again: never retry it.
            await DeadLetterAsync(record, Outcomes.DeadLettered(shopDomain, topic, RecordOutcomes.Reasons.Unmappable, occurredAt), e.Message, cancellationToken);
        }
    }

    private async Task<string> HandleWebhookAsync(ShopifyWebhook webhook, ShopOptions shop, CartStates states, long at, Work work)
    {
        switch (webhook.Topic)
        {
            case CheckoutEventMapper.OrdersCreate:
                return await OrderCreatedAsync(webhook, shop, states, at, work);
            case "orders/updated" or "orders/paid":
                {
                    using var document = CheckoutEventMapper.Parse(webhook);
                    var order = document.RootElement;
                    var sent = await SentOrdersAsync(states, webhook.ShopDomain, order);
                    return sent.State?.SentOrders.Contains(CheckoutEventMapper.OrderId(order)) == true ? SkipReasons.AlreadySent : SkipReasons.OrderUpdate;
                }

            case "checkouts/create" or "checkouts/update":
                {
                    using var document = CheckoutEventMapper.Parse(webhook);
                    if (Text(document.RootElement, "token") is { } checkoutToken && Text(document.RootElement, "cart_token") is { } cartToken)
                    {
                        await LinkAsync(states, webhook.ShopDomain, checkoutToken, cartToken, at);
                    }

                    return SkipReasons.LinkRecorded;
                }

            case var cart when AddToCartMapper.IsCartTopic(cart):
                return await CartChangedAsync(webhook, shop, states, at, work);
            case "orders/cancelled":
                return SkipReasons.NotAConversion;
            default:
                return SkipReasons.TopicNotMapped;
        }
    }

    private async Task<string> OrderCreatedAsync(ShopifyWebhook webhook, ShopOptions shop, CartStates states, long at, Work work)
    {
        using var document = CheckoutEventMapper.Parse(webhook);
        var order = document.RootElement;
        if (CheckoutEventMapper.Exclusion(order, shop) is { } excluded)
        {
            var createdAt = PlausibleTime(Text(order, "created_at"), _clock.GetUtcNow())?.UtcDateTime ?? webhook.ReceivedAt;
            work.Skipped(webhook.ShopDomain, webhook.Topic, excluded, createdAt);
            return excluded;
        }

        var orderId = CheckoutEventMapper.OrderId(order);
        var (sentKey, sentState) = await SentOrdersAsync(states, webhook.ShopDomain, order);
        if (sentState?.SentOrders.Contains(orderId) == true)
        {
            return SkipReasons.AlreadySent;
        }

        var cartToken = Text(order, "cart_token");
        var session = await SessionAsync(states, webhook.ShopDomain, cartToken, Text(order, "checkout_token"));
        // Mapped now, whatever happens next: what cannot be mapped is dead-lettered at once, not after a wait.
        var draft = CheckoutEventMapper.Draft(webhook, order, shop, _clock);
        // A backfilled order is days old: its session, if any, was never recorded, and none will come.
        if (session is null && cartToken is not null && _options.GracePeriod > TimeSpan.Zero && webhook.BackfillRun is null)
        {
            // What waits is the event, only the session still to come: the body is not parsed again.
            var checkoutEvent = await _serdes.SerializeAsync(draft, _eventsTopic);
            await WaitAsync(states, CartStates.Cart(webhook.ShopDomain, cartToken), webhook, [], at, checkoutEvent, Text(order, "checkout_token"));
            return RecordOutcomes.Waiting;
        }

        return await SendCheckoutAsync(draft, session, shop, states, sentKey, sentState, at, work);
    }

    /// <summary>A waiting order's event, with the session known now.</summary>
    private async Task<string> CheckoutWaitedAsync(WaitingWebhook waiting, ShopOptions shop, CartStates states, long at, Work work)
    {
        var draft = await _serdes.DeserializeAsync<PinterestEvent>(waiting.CheckoutEvent, _eventsTopic);
        var orderId = draft.CustomData.OrderId!;
        var sentKey = waiting.PartitionKey;
        var sentState = await states.ReadAsync(sentKey);
        if (sentState?.SentOrders.Contains(orderId) == true)
        {
            return SkipReasons.AlreadySent;
        }

        var cartToken = waiting.PartitionKey[(waiting.ShopDomain.Length + 1)..];
        var session = await SessionAsync(states, waiting.ShopDomain, cartToken, waiting.CheckoutToken);
        return await SendCheckoutAsync(draft, session, shop, states, sentKey, sentState, at, work);
    }

    private static async Task<string> SendCheckoutAsync(
        PinterestEvent draft, Session? session, ShopOptions shop, CartStates states, string sentKey, EnricherState? sentState, long at, Work work)
    {
        var (checkout, skipped) = SessionStitcher.Stitch(draft, session, shop.Events);
        if (checkout is null)
        {
            work.Skipped(draft.ShopDomain, CheckoutEventMapper.OrdersCreate, skipped!, DateTimeOffset.FromUnixTimeSeconds(draft.EventTime).UtcDateTime);
            return skipped!;
        }

        var orderId = checkout.CustomData.OrderId!;
        work.Mapped(checkout, CheckoutEventMapper.OrdersCreate, sessionJoined: session is not null);
        sentState ??= new EnricherState();
        sentState.SentOrders.Add(orderId);
        while (sentState.SentOrders.Count > MaxSentOrders)
        {
            sentState.SentOrders.RemoveAt(0);
        }

        await states.WriteAsync(sentKey, sentState, at);
        return RecordOutcomes.Mapped;
    }

    private async Task<string> CartChangedAsync(ShopifyWebhook webhook, ShopOptions shop, CartStates states, long at, Work work, IList<CartLine>? before = null)
    {
        using var document = CheckoutEventMapper.Parse(webhook);
        var (token, lines) = AddToCartMapper.Read(document.RootElement);
        var key = CartStates.Cart(webhook.ShopDomain, token);
        var state = await states.ReadAsync(key) ?? new EnricherState();
        var waited = before is not null;
        before ??= state.CartLines ?? [];
        if (!waited)
        {
            // Checked now, whatever happens next: a cart that cannot be mapped is dead-lettered at once.
            AddToCartMapper.Map(webhook, document.RootElement, before, session: null, shop);
            var added = lines.Any(l => l.Quantity > (before.FirstOrDefault(b => b.VariantId == l.VariantId)?.Quantity ?? 0));
            state.CartLines = lines;
            if (added && state.Session is null && _options.GracePeriod > TimeSpan.Zero)
            {
                await states.WriteAsync(key, state, at);
                await WaitAsync(states, key, webhook, before, at);
                return RecordOutcomes.Waiting;
            }
        }

        var (events, skipped) = AddToCartMapper.Map(webhook, document.RootElement, before, state.Session, shop);
        foreach (var added in events)
        {
            work.Mapped(added, webhook.Topic, sessionJoined: state.Session is not null);
        }

        if (skipped is not null)
        {
            work.Skipped(webhook.ShopDomain, webhook.Topic, skipped, webhook.ReceivedAt);
        }

        await states.WriteAsync(key, state, at);
        return skipped ?? RecordOutcomes.Mapped;
    }

    private async Task<string> HandleStorefrontAsync(StorefrontEvent storefrontEvent, ShopOptions shop, CartStates states, long at, Work work)
    {
        if (!System.Text.Unicode.Utf8.IsValid(storefrontEvent.Event))
        {
            throw new UnmappableWebhookException($"The {storefrontEvent.EventName} event is not valid UTF-8.");
        }

        using var document = JsonDocument.Parse(storefrontEvent.Event);
        var shopDomain = storefrontEvent.ShopDomain;
        string? key = null;
        if (storefrontEvent.CartToken is { } cartToken)
        {
            key = CartStates.Cart(shopDomain, cartToken);
            if (storefrontEvent.CheckoutToken is { } checkoutToken)
            {
                await LinkAsync(states, shopDomain, checkoutToken, cartToken, at);
            }
        }
        else if (storefrontEvent.CheckoutToken is { } checkoutToken)
        {
            var link = await states.ReadAsync(CartStates.CheckoutLink(shopDomain, checkoutToken));
            key = link?.CartToken is { } linked ? CartStates.Cart(shopDomain, linked) : CartStates.CheckoutLink(shopDomain, checkoutToken);
        }

        var state = key is null ? new EnricherState() : await states.ReadAsync(key) ?? new EnricherState();
        state.Session = SessionRecorder.Record(state.Session, storefrontEvent, document.RootElement);
        if (key is not null)
        {
            await states.WriteAsync(key, state, at);
        }

        var (derived, skipped) = StorefrontEventMapper.Map(storefrontEvent, document.RootElement, state.Session, shop);
        var input = Outcomes.StorefrontInput(storefrontEvent.EventName);
        if (derived is not null)
        {
            // The storefront event is the session: joined by its nature.
            work.Mapped(derived, input, sessionJoined: true);
        }
        else
        {
            work.Skipped(shopDomain, input, skipped!, storefrontEvent.OccurredAt);
        }

        if (key is not null)
        {
            // What waited for this session goes now, in the order it came.
            foreach (var waitingKey in _waiting.WaitingFor(states.Store.Partition, key))
            {
                await ReleaseAsync(states, waitingKey, work);
            }
        }

        return skipped ?? RecordOutcomes.Mapped;
    }

    private async Task WaitAsync(
        CartStates states, string partitionKey, ShopifyWebhook webhook, IList<CartLine> before, long at, byte[]? checkoutEvent = null, string? checkoutToken = null)
    {
        var waiting = new WaitingWebhook
        {
            PartitionKey = partitionKey,
            WebhookId = webhook.WebhookId,
            Topic = webhook.Topic,
            ShopDomain = webhook.ShopDomain,
            ReceivedAt = new DateTimeOffset(webhook.ReceivedAt, TimeSpan.Zero).ToUnixTimeMilliseconds(),
            Body = checkoutEvent is null ? webhook.Body : [],
            CheckoutEvent = checkoutEvent,
            CheckoutToken = checkoutToken,
            CartLinesBefore = [.. before.Select(l => new CartLine { VariantId = l.VariantId, Quantity = l.Quantity })],
            DueEventTime = at + (long)_options.GracePeriod.TotalMilliseconds,
            DueWallTime = _clock.GetUtcNow().ToUnixTimeMilliseconds() + (long)_options.GraceWallClockCap.TotalMilliseconds,
        };
        var key = CartStates.Waiting(partitionKey, waiting.DueEventTime, webhook.WebhookId);
        await states.WriteAsync(key, new EnricherState { Waiting = waiting }, at);
        _waiting.Add(states.Store.Partition, key, waiting.DueWallTime);
    }

    /// <summary>
    /// Releases the waiting server events whose grace period is over in event time, and with
    /// <paramref name="byWallClock"/> also those past their wall-clock cap (which needs a full look).
    /// </summary>
    private async Task ReleaseDueAsync(CartStates states, Work work, bool byWallClock)
    {
        var partition = states.Store.Partition;
        var now = byWallClock ? _clock.GetUtcNow().ToUnixTimeMilliseconds() : (long?)null;
        foreach (var key in _waiting.Due(partition, _streamTime.GetValueOrDefault(partition), now))
        {
            work.Touched.Add(partition);
            await ReleaseAsync(states, key, work);
        }
    }

    /// <summary>Maps a waiting webhook with whatever session is known now, and lets it go.</summary>
    private async Task ReleaseAsync(CartStates states, string key, Work work)
    {
        var entry = states.Store.Read(key) is { } bytes ? await states.DecodeAsync(bytes) : new EnricherState();
        states.Delete(key);
        _waiting.Remove(states.Store.Partition, key);
        if (entry.Waiting is not { } waiting || !_shops.TryFind(waiting.ShopDomain, out var shop))
        {
            return;
        }

        var webhook = new ShopifyWebhook
        {
            WebhookId = waiting.WebhookId,
            Topic = waiting.Topic,
            ShopDomain = waiting.ShopDomain,
            ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(waiting.ReceivedAt).UtcDateTime,
            Body = waiting.Body,
        };
        var at = Math.Max(entry.UpdatedAt, _streamTime.GetValueOrDefault(states.Store.Partition));
        try
        {
            var outcome = waiting.CheckoutEvent is not null
                ? await CheckoutWaitedAsync(waiting, shop, states, at, work)
                : await CartChangedAsync(webhook, shop, states, at, work, waiting.CartLinesBefore);
            work.Outcomes.Add((webhook.Topic, outcome == RecordOutcomes.Mapped ? RecordOutcomes.Released : outcome));
        }
        catch (Exception e) when (e is UnmappableWebhookException or JsonException)
        {
            // It was mapped once on arrival; only a changed mapper gets here. Counted and logged, not retried forever.
            work.Outcomes.Add((webhook.Topic, SkipReasons.UnmappableOnRelease));
            work.Skipped(webhook.ShopDomain, webhook.Topic, SkipReasons.UnmappableOnRelease, webhook.ReceivedAt);
            LogReleaseFailed(e, webhook.Topic, webhook.WebhookId);
        }
    }

    private static async Task<(string Key, EnricherState? State)> SentOrdersAsync(CartStates states, string shop, JsonElement order)
    {
        var key = Text(order, "cart_token") is { } cartToken
            ? CartStates.Cart(shop, cartToken)
            : CartStates.CartlessOrder(shop, CheckoutEventMapper.OrderId(order));
        return (key, await states.ReadAsync(key));
    }

    /// <summary>The session of a cart, or of the cart its checkout belongs to, or recorded under the checkout itself.</summary>
    private static async Task<Session?> SessionAsync(CartStates states, string shop, string? cartToken, string? checkoutToken)
    {
        if (cartToken is not null && (await states.ReadAsync(CartStates.Cart(shop, cartToken)))?.Session is { } session)
        {
            return session;
        }

        if (checkoutToken is null || await states.ReadAsync(CartStates.CheckoutLink(shop, checkoutToken)) is not { } link)
        {
            return null;
        }

        return link.CartToken is { } linked && linked != cartToken && (await states.ReadAsync(CartStates.Cart(shop, linked)))?.Session is { } linkedSession
            ? linkedSession
            : link.Session;
    }

    private static async Task LinkAsync(CartStates states, string shop, string checkoutToken, string cartToken, long at)
    {
        var key = CartStates.CheckoutLink(shop, checkoutToken);
        var link = await states.ReadAsync(key) ?? new EnricherState();
        if (link.CartToken != cartToken)
        {
            link.CartToken = cartToken;
            await states.WriteAsync(key, link, at);
        }
    }

    private async Task FinishAsync(Work work, CancellationToken cancellationToken)
    {
        // Events first, state after: state that says "sent" is never ahead of what was sent.
        var deliveries = new List<Task>(work.Events.Count + work.Decisions.Count);
        foreach (var pinterestEvent in work.Events)
        {
            deliveries.Add(await _output.EnqueueAsync(pinterestEvent, cancellationToken));
        }

        // What became of the inputs goes with the events: a retried batch writes both again, or neither.
        var decidedAt = _clock.GetUtcNow().UtcDateTime;
        foreach (var outcome in work.Decisions)
        {
            outcome.DecidedAt = decidedAt;
            deliveries.Add(await _output.EnqueueOutcomeAsync(outcome, cancellationToken));
        }

        await Task.WhenAll(deliveries);
        // Each partition's changes go to its own changelog partition: their round trips overlap.
        await Task.WhenAll(work.Touched
            .Select(p => _stores.Open.GetValueOrDefault(p))
            .OfType<PartitionStore>()
            .Select(store => store.CommitAsync(cancellationToken)));

        foreach (var (topic, outcome) in work.Outcomes)
        {
            Count(topic, outcome);
        }

        foreach (var pinterestEvent in work.Events)
        {
            _telemetry.EventsProduced.Add(1, new KeyValuePair<string, object?>("event_name", pinterestEvent.EventName));
        }
    }

    private void Count(string topic, string outcome)
    {
        var kind = outcome switch
        {
            RecordOutcomes.Mapped or RecordOutcomes.Released or RecordOutcomes.Waiting => outcome,
            _ => RecordOutcomes.Skipped,
        };
        _telemetry.RecordsMapped.Add(1, new("topic", topic), new("outcome", kind), new("reason", kind == RecordOutcomes.Skipped ? outcome : null));
        if (kind == RecordOutcomes.Skipped)
        {
            LogSkipped(topic, outcome);
        }
    }

    private async Task DeadLetterAsync(ConsumedRecord<ISpecificRecord> record, EnrichmentOutcome outcome, string error, CancellationToken cancellationToken)
    {
        // Written with the letter, not with the batch: a record marked done is not handled again by a retry.
        var written = await _output.EnqueueOutcomeAsync(Decided(outcome), cancellationToken);
        await Task.WhenAll(_output.DeadLetterAsync(record.Raw, outcome.Reason!, error, cancellationToken), written);
        record.MarkDone();
        _telemetry.RecordsMapped.Add(1, new("topic", outcome.Input), new("outcome", RecordOutcomes.DeadLettered), new("reason", outcome.Reason));
    }

    private EnrichmentOutcome Decided(EnrichmentOutcome outcome)
    {
        outcome.DecidedAt = _clock.GetUtcNow().UtcDateTime;
        return outcome;
    }

    public void OnAssigned(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        ForgetInputTimes(partitions);
        _stores.Assigned(partitions, cancellationToken);
        foreach (var partition in partitions.Select(p => p.Partition.Value).Distinct())
        {
            // Restored state may hold server events that were waiting when the partition moved.
            LoadWaiting(partition);
        }
    }

    public void OnRevoked(IReadOnlyList<TopicPartition> partitions)
    {
        ForgetInputTimes(partitions);
        _stores.Revoked(partitions);
        DropWaitingOfClosed(partitions);
    }

    public void OnLost(IReadOnlyList<TopicPartition> partitions)
    {
        ForgetInputTimes(partitions);
        _stores.Lost(partitions);
        DropWaitingOfClosed(partitions);
    }

    private void ForgetInputTimes(IReadOnlyList<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _inputTime.TryRemove(partition, out _);
        }
    }

    private void LoadWaiting(int partition)
    {
        var states = States(partition);
        _waiting.Load(partition, states.Scan(CartStates.WaitingPrefix)
            .Select(e => (e.Key, states.DecodeAsync(e.Value).GetAwaiter().GetResult().Waiting?.DueWallTime ?? 0))
            .ToList());
    }

    private void DropWaitingOfClosed(IReadOnlyList<TopicPartition> partitions)
    {
        foreach (var partition in partitions.Select(p => p.Partition.Value).Where(p => !_stores.Open.ContainsKey(p)))
        {
            _waiting.Drop(partition);
        }
    }

    public Task PunctuateAsync(CancellationToken cancellationToken) =>
        CompleteAsync(async work =>
        {
            foreach (var partition in _stores.Open.Keys.ToList())
            {
                await ReleaseDueAsync(work.States(partition, States), work, byWallClock: true);
            }

            if (_clock.GetUtcNow() >= _nextSweep)
            {
                _nextSweep = _clock.GetUtcNow() + _options.ExpirySweepInterval;
                foreach (var partition in _stores.Open.Keys.ToList())
                {
                    await SweepAsync(work.States(partition, States), work);
                }
            }
        }, cancellationToken);

    /// <summary>
    /// Lets every waiting server event go with whatever session is known, as if all grace periods were
    /// over: for the end of a bounded input (a replay), where nothing more will arrive.
    /// </summary>
    public Task ReleaseAllWaitingAsync(CancellationToken cancellationToken) =>
        CompleteAsync(async work =>
        {
            foreach (var partition in _stores.Open.Keys.ToList())
            {
                var states = work.States(partition, States);
                foreach (var key in _waiting.Due(partition, long.MaxValue, long.MaxValue))
                {
                    work.Touched.Add(partition);
                    await ReleaseAsync(states, key, work);
                }
            }
        }, cancellationToken);

    /// <summary>Does the work, then writes its events and commits its state; on any failure, drops its state changes.</summary>
    private async Task CompleteAsync(Func<Work, Task> act, CancellationToken cancellationToken)
    {
        var work = new Work();
        try
        {
            await act(work);
            await FinishAsync(work, cancellationToken);
        }
        catch
        {
            foreach (var partition in work.Touched.Where(_stores.Open.ContainsKey))
            {
                _stores[partition].Rollback();
                LoadWaiting(partition);
            }

            throw;
        }
    }

    /// <summary>Deletes expired entries from a slice of the partition, resuming where the last sweep stopped.</summary>
    private async Task SweepAsync(CartStates states, Work work)
    {
        var partition = states.Store.Partition;
        var read = 0;
        string? last = null;
        foreach (var (key, bytes) in states.Scan("", _sweepCursor.GetValueOrDefault(partition)).Take(SweepSlice).ToList())
        {
            read++;
            last = key;
            if (!key.StartsWith(CartStates.WaitingPrefix, StringComparison.Ordinal) && states.IsExpired(await states.DecodeAsync(bytes)))
            {
                states.Delete(key);
                work.Touched.Add(partition);
                _telemetry.StateExpired.Add(1);
            }
        }

        _sweepCursor[partition] = read == SweepSlice ? last : null;
    }

    private CartStates States(int partition) =>
        new(_stores[partition], _serdes, ChangelogTopic, _options.Retention, _clock);

    public void Dispose() => _stores.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Topic}: no event ({Reason})")]
    private partial void LogSkipped(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A waiting {Topic} webhook {WebhookId} could not be mapped when its wait ended; it is dropped")]
    private partial void LogReleaseFailed(Exception exception, string topic, string webhookId);

    private sealed class Work
    {
        private readonly Dictionary<int, CartStates> _states = [];

        public HashSet<int> Touched { get; } = [];

        /// <summary>One view of a partition's state per batch, so an entry read twice is decoded once.</summary>
        public CartStates States(int partition, Func<int, CartStates> open) =>
            _states.TryGetValue(partition, out var states) ? states : _states[partition] = open(partition);

        public List<PinterestEvent> Events { get; } = [];

        public List<(string Topic, string Outcome)> Outcomes { get; } = [];

        /// <summary>What became of the inputs that were, or would have been, events: written after the events.</summary>
        public List<EnrichmentOutcome> Decisions { get; } = [];

        public void Mapped(PinterestEvent pinterestEvent, string input, bool sessionJoined)
        {
            Events.Add(pinterestEvent);
            Decisions.Add(Output.Outcomes.Mapped(pinterestEvent, input, sessionJoined));
        }

        /// <summary>Records a skip where it left out an event that was due; an input that is no event is not one.</summary>
        public void Skipped(string shop, string input, string reason, DateTime occurredAt)
        {
            if (SkipReasons.IsExclusion(reason))
            {
                Decisions.Add(Output.Outcomes.Skipped(shop, input, reason, occurredAt));
            }
        }

        public void Absorb(Work lane)
        {
            Touched.UnionWith(lane.Touched);
            Events.AddRange(lane.Events);
            Outcomes.AddRange(lane.Outcomes);
            Decisions.AddRange(lane.Decisions);
        }
    }
}
