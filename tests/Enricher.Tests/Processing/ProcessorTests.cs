namespace Streaming.Enricher.Tests.Processing;

/// <summary>Each input's processor on its own, against a partition's state held in memory: no Kafka.</summary>
public sealed class ProcessorTests : IDisposable
{
    private const string OrderFallbackClickId = "dj0yJnU9S0tmaXh0dXJlJm49WmVvJm09Mg";
    private readonly ProcessorHarness _harness = new();
    private readonly DateTimeOffset _t0;

    public ProcessorTests() => _t0 = _harness.Clock.Now.AddMinutes(-10);

    private long Ms(double seconds) => _t0.AddSeconds(seconds).ToUnixTimeMilliseconds();

    [Fact]
    public async Task A_storefront_event_records_the_session_of_its_cart_and_becomes_its_browsing_event()
    {
        var context = _harness.Context();

        var outcome = await _harness.Storefront.ProcessAsync(ProcessorHarness.Session("cart-s", "click-s", _t0, "pixel-product_viewed.json"), _harness.Shop, Ms(0), context);
        await _harness.CommitAsync();

        Assert.Equal(RecordOutcomes.Mapped, outcome);
        var session = (await _harness.ReadAsync(ProcessorHarness.Cart("cart-s")))?.Session;
        Assert.NotNull(session);
        Assert.Equal(("click-s", "203.0.113.9", "UA-session"), (session.ClickId, session.ClientIp, session.UserAgent));
        Assert.Equal(_t0.ToUnixTimeMilliseconds(), session.FirstSeen);
        var visit = Assert.Single(context.Output.Events);
        Assert.Equal(("page_visit", "click-s"), (visit.EventName, visit.UserData.ClickId));
        Assert.NotNull(_harness.Disk.Read(ProcessorHarness.Cart("cart-s")));
    }

    [Fact]
    public async Task An_order_is_joined_to_the_session_its_cart_recorded()
    {
        await _harness.Storefront.ProcessAsync(ProcessorHarness.Session("cart-j", "click-j", _t0), _harness.Shop, Ms(0), _harness.Context());
        await _harness.CommitAsync();
        var context = _harness.Context();

        var outcome = await _harness.Orders.ProcessAsync(ProcessorHarness.Order("9007199254740993", "cart-j", _t0.AddSeconds(1)), _harness.Shop, Ms(1), context);

        Assert.Equal(RecordOutcomes.Mapped, outcome);
        var checkout = Assert.Single(context.Output.Events);
        Assert.Equal(("checkout", "9007199254740993"), (checkout.EventName, checkout.EventId));
        Assert.Equal(("click-j", "203.0.113.9", "UA-session"), (checkout.UserData.ClickId, checkout.UserData.ClientIpAddress, checkout.UserData.ClientUserAgent));
        Assert.True(Assert.Single(context.Output.Decisions).SessionJoined);
        Assert.Empty(context.Waiting.Due(long.MaxValue, long.MaxValue));
    }

    [Fact]
    public async Task An_order_without_a_session_waits_through_the_grace_period_then_goes_with_what_it_carries()
    {
        var arrival = _harness.Context(streamTime: Ms(0));
        Assert.Equal(RecordOutcomes.Waiting, await _harness.Orders.ProcessAsync(ProcessorHarness.Order("9007199254740995", "cart-w", _t0), _harness.Shop, Ms(0), arrival));
        await _harness.CommitAsync();
        Assert.Empty(arrival.Output.Events);
        var waitingKey = Assert.Single(_harness.Disk.Entries.Keys, k => k.StartsWith(CartStates.WaitingPrefix, StringComparison.Ordinal));

        // One millisecond short of the grace period: it still waits.
        var early = _harness.Context(streamTime: Ms(30) - 1);
        await _harness.Release.ReleaseDueAsync(early, byWallClock: false);
        Assert.Empty(early.Output.Events);

        var due = _harness.Context(streamTime: Ms(30));
        await _harness.Release.ReleaseDueAsync(due, byWallClock: false);
        await _harness.CommitAsync();

        var checkout = Assert.Single(due.Output.Events);
        Assert.Equal(("9007199254740995", OrderFallbackClickId), (checkout.EventId, checkout.UserData.ClickId));
        Assert.Equal(("orders/create", RecordOutcomes.Released), Assert.Single(due.Output.Handled));
        Assert.False(Assert.Single(due.Output.Decisions).SessionJoined);
        Assert.Null(_harness.Disk.Read(waitingKey));
        Assert.Equal(0, _harness.Waiting.Count);
        Assert.Contains("9007199254740995", (await _harness.ReadAsync(ProcessorHarness.Cart("cart-w")))!.SentOrders);
    }

    [Fact]
    public async Task A_waiting_order_goes_as_soon_as_its_session_arrives_and_takes_it()
    {
        await _harness.Orders.ProcessAsync(ProcessorHarness.Order("9007199254740997", "cart-late", _t0), _harness.Shop, Ms(0), _harness.Context(Ms(0)));
        await _harness.CommitAsync();
        var context = _harness.Context(Ms(10));

        await _harness.Storefront.ProcessAsync(ProcessorHarness.Session("cart-late", "click-late", _t0.AddSeconds(10)), _harness.Shop, Ms(10), context);

        var checkout = Assert.Single(context.Output.Events, e => e.EventName == "checkout");
        Assert.Equal("click-late", checkout.UserData.ClickId);
        Assert.Equal(0, _harness.Waiting.Count);
    }

    [Fact]
    public async Task A_cart_change_becomes_one_add_to_cart_per_variant_whose_quantity_rose()
    {
        const string variant = "9007199254741207";
        var added = ProcessorHarness.Session("cart-a", "click-a", _t0, "pixel-product_added_to_cart.json");
        await _harness.Storefront.ProcessAsync(added, _harness.Shop, Ms(0), _harness.Context());
        var context = _harness.Context();

        async Task<string> CartAsync(long quantity, string updatedAt, int second) => await _harness.Carts.ProcessAsync(
            ProcessorHarness.Webhook("carts/update", EnricherRig.Cart("cart-a", variant, quantity, updatedAt), _t0.AddSeconds(second)), _harness.Shop, Ms(second), context);

        Assert.Equal(RecordOutcomes.Mapped, await CartAsync(1, "2026-02-11T09:07:41-05:00", 1));
        Assert.Equal(RecordOutcomes.Mapped, await CartAsync(3, "2026-02-11T09:08:00-05:00", 2));
        Assert.Equal(SkipReasons.NothingAdded, await CartAsync(0, "2026-02-11T09:09:00-05:00", 3));

        Assert.Equal([1L, 2L], context.Output.Events.Select(e => e.CustomData.NumItems!.Value));
        Assert.All(context.Output.Events, e => Assert.Equal(("add_to_cart", "click-a"), (e.EventName, e.UserData.ClickId)));
        // The first add is the one the pixel reported: it carries the pixel's event id.
        Assert.Equal(added.EventId, context.Output.Events[0].EventId);
        Assert.Equal(EventIds.AddToCart(TestSettings.Shop, "cart-a", variant, 3, "2026-02-11T09:08:00-05:00"), context.Output.Events[1].EventId);
        var lines = (await context.States.ReadAsync(ProcessorHarness.Cart("cart-a")))!.CartLines;
        Assert.Equal(0, Assert.Single(lines!).Quantity);
    }

    [Fact]
    public async Task A_checkout_links_its_cart_so_an_order_that_knows_only_the_checkout_finds_the_session()
    {
        await _harness.Storefront.ProcessAsync(ProcessorHarness.Session("cart-c", "click-c", _t0), _harness.Shop, Ms(0), _harness.Context());
        var context = _harness.Context();

        var linked = await _harness.Checkouts.ProcessAsync(
            ProcessorHarness.Json("checkouts/create", new JsonObject { ["token"] = "checkout-c", ["cart_token"] = "cart-c" }, _t0.AddSeconds(1)), _harness.Shop, Ms(1), context);
        var order = JsonNode.Parse(EnricherRig.Order("9007199254741001", "unused", "checkout-c"))!.AsObject();
        order.Remove("cart_token");
        var outcome = await _harness.Orders.ProcessAsync(ProcessorHarness.Json("orders/create", order, _t0.AddSeconds(2)), _harness.Shop, Ms(2), context);

        Assert.Equal((SkipReasons.LinkRecorded, RecordOutcomes.Mapped), (linked, outcome));
        Assert.Equal("cart-c", (await context.States.ReadAsync(CartStates.CheckoutLink(TestSettings.Shop, "checkout-c")))!.CartToken);
        Assert.Equal("click-c", Assert.Single(context.Output.Events, e => e.EventName == "checkout").UserData.ClickId);
    }

    [Fact]
    public async Task An_order_already_sent_is_not_sent_again_by_a_second_create_or_its_updates()
    {
        await _harness.Storefront.ProcessAsync(ProcessorHarness.Session("cart-d", "click-d", _t0), _harness.Shop, Ms(0), _harness.Context());
        await _harness.CommitAsync();
        var body = EnricherRig.Order("9007199254741003", "cart-d");
        var outcomes = new List<string>();
        var events = 0;
        foreach (var (topic, second) in new[] { ("orders/create", 1), ("orders/create", 2), ("orders/paid", 3), ("orders/updated", 4) })
        {
            // Each in a batch of its own, committed: the mark survives beyond the batch that set it.
            var context = _harness.Context();
            outcomes.Add(await _harness.Orders.ProcessAsync(ProcessorHarness.Webhook(topic, body, _t0.AddSeconds(second)), _harness.Shop, Ms(second), context));
            await _harness.CommitAsync();
            events += context.Output.Events.Count;
        }

        var unsent = await _harness.Orders.ProcessAsync(
            ProcessorHarness.Webhook("orders/updated", EnricherRig.Order("9007199254741005", "cart-d"), _t0.AddSeconds(5)), _harness.Shop, Ms(5), _harness.Context());

        Assert.Equal([RecordOutcomes.Mapped, SkipReasons.AlreadySent, SkipReasons.AlreadySent, SkipReasons.AlreadySent], outcomes);
        Assert.Equal(1, events);
        Assert.Equal(SkipReasons.OrderUpdate, unsent);
    }

    public void Dispose() => _harness.Dispose();
}
