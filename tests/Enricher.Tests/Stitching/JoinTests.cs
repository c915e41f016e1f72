using Xunit.Abstractions;

namespace Streaming.Enricher.Tests.Stitching;

/// <summary>Storefront sessions meet orders and carts in the enricher's state, through restarts and partition moves.</summary>
[Collection(OnKafka.Name)]
public sealed class JoinTests(KafkaFixture kafka, ITestOutputHelper output)
{
    private const string SessionClickId = "session-click-id";
    private const string SessionIp = "203.0.113.77";
    private const string SessionUa = "Mozilla/5.0 (session)";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-10);

    private static readonly Dictionary<string, string?> LongGrace = new()
    {
        ["Enricher:GracePeriod"] = "00:00:30",
        ["Enricher:GraceWallClockCap"] = "00:01:00",
    };

    [Fact]
    public async Task A_session_seen_before_the_order_gives_the_checkout_its_click_id_ip_user_agent_and_market()
    {
        await using var rig = await RigAsync(partitions: 2);
        await rig.StartAsync(EnricherRig.NewStateDirectory(), LongGrace);

        await rig.StorefrontAsync(Session("cart-before", "pixel-checkout_completed.json"), T0);
        await rig.WebhookAsync("orders/create", EnricherRig.Order("9007199254740993", "cart-before"), "cart-before", T0.AddSeconds(1));

        var checkout = Assert.Single(await rig.EventsAsync(1, Patience)).Event;
        Assert.Equal("9007199254740993", checkout.EventId);
        Assert.Equal((SessionClickId, SessionIp, SessionUa), (checkout.UserData.ClickId, checkout.UserData.ClientIpAddress, checkout.UserData.ClientUserAgent));
        Assert.Equal(("de", "71502413844"), (checkout.MarketHandle, checkout.MarketId));
    }

    [Fact]
    public async Task A_session_that_arrives_within_the_grace_period_is_still_joined()
    {
        await using var rig = await RigAsync(partitions: 2);
        await rig.StartAsync(EnricherRig.NewStateDirectory(), LongGrace);

        await rig.WebhookAsync("orders/create", EnricherRig.Order("9007199254740995", "cart-late"), "cart-late", T0);
        Assert.Empty(await rig.EventsAsync(1, TimeSpan.FromSeconds(2)));
        // The session comes ten seconds later, in its own batch: the order goes with it at once, long
        // before its 30 s grace period (or the one-minute cap) would have ended.
        await rig.StorefrontAsync(Session("cart-late", "pixel-page_viewed.json"), T0.AddSeconds(10));

        var checkout = Assert.Single(await rig.EventsAsync(3, TimeSpan.FromSeconds(8)), e => e.Event.EventName == "checkout").Event;
        Assert.Equal((SessionClickId, SessionIp), (checkout.UserData.ClickId, checkout.UserData.ClientIpAddress));
    }

    [Fact]
    public async Task After_the_grace_period_the_order_goes_with_what_it_carries_and_a_later_session_adds_nothing()
    {
        await using var rig = await RigAsync(partitions: 1);
        await rig.StartAsync(EnricherRig.NewStateDirectory(), new Dictionary<string, string?>
        {
            ["Enricher:GracePeriod"] = "00:00:05",
            ["Enricher:GraceWallClockCap"] = "00:05:00",
        });

        await rig.WebhookAsync("orders/create", EnricherRig.Order("9007199254740997", "cart-too-late"), "cart-too-late", T0);
        // Another cart's record six seconds of event time later: the order's grace period is over.
        await rig.StorefrontAsync(Session("someone-else", "pixel-page_viewed.json"), T0.AddSeconds(6));
        await rig.StorefrontAsync(Session("cart-too-late", "pixel-page_viewed.json"), T0.AddSeconds(7));

        var checkouts = (await rig.EventsAsync(2, Patience)).Where(e => e.Event.EventName == "checkout").ToList();
        var checkout = Assert.Single(checkouts).Event;
        // The order's own fallbacks: client_details and the epik of landing_site, never the late session's.
        Assert.Equal("dj0yJnU9S0tmaXh0dXJlJm49WmVvJm09Mg", checkout.UserData.ClickId);
        Assert.Equal("198.51.100.23", checkout.UserData.ClientIpAddress);
        Assert.Equal(("unassigned_market", "0"), (checkout.MarketHandle, checkout.MarketId));
    }

    [Fact]
    public async Task A_server_event_waiting_when_the_enricher_stops_is_sent_once_after_it_restarts()
    {
        await using var rig = await RigAsync(partitions: 2);
        var state = EnricherRig.NewStateDirectory();
        var settings = new Dictionary<string, string?> { ["Enricher:GracePeriod"] = "00:00:30", ["Enricher:GraceWallClockCap"] = "00:00:08" };
        var first = await rig.StartAsync(state, settings);

        await rig.WebhookAsync("orders/create", EnricherRig.Order("9007199254740999", "cart-restart"), "cart-restart", T0);
        await WaitForAsync(() => first.Logs.Lines.Any(l => l.Message.Contains("waiting", StringComparison.Ordinal)) || Changelog(rig) > 0);
        await rig.StopAsync(first);
        Assert.Empty(await rig.EventsAsync(1, TimeSpan.FromMilliseconds(500)));
        await rig.StartAsync(state, settings);

        var checkout = Assert.Single(await rig.EventsAsync(2, Patience)).Event;
        Assert.Equal("9007199254740999", checkout.EventId);
    }

    [Fact]
    public async Task Sessions_are_restored_from_the_changelog_when_the_local_store_is_gone()
    {
        await using var rig = await RigAsync(partitions: 2);
        var first = await rig.StartAsync(EnricherRig.NewStateDirectory(), LongGrace);
        await rig.StorefrontAsync(Session("cart-restore", "pixel-page_viewed.json"), T0);
        await WaitForAsync(() => Changelog(rig) > 0);
        await rig.StopAsync(first);

        // A new machine: nothing on disk, only the changelog.
        var second = await rig.StartAsync(EnricherRig.NewStateDirectory(), LongGrace);
        await rig.WebhookAsync("orders/create", EnricherRig.Order("9007199254741001", "cart-restore"), "cart-restore", T0.AddSeconds(1));

        var checkout = Assert.Single(await rig.EventsAsync(1, Patience)).Event;
        Assert.Equal(SessionClickId, checkout.UserData.ClickId);
        Assert.Contains(second.Logs.Lines, l => l.Message.StartsWith("Restored", StringComparison.Ordinal) && !l.Message.Contains(": 0 change", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cart_webhooks_become_one_add_to_cart_per_variant_whose_quantity_rose_through_add_remove_and_re_add()
    {
        await using var rig = await RigAsync(partitions: 1);
        await rig.StartAsync(EnricherRig.NewStateDirectory(), LongGrace);
        const string cart = "cart-diffs";
        const string variant = "9007199254741207";
        var added = Session(cart, "pixel-product_added_to_cart.json");
        await rig.StorefrontAsync(added, T0);

        await rig.WebhookAsync("carts/create", EnricherRig.Cart(cart, variant, 1, "2026-02-11T09:07:41-05:00"), cart, T0.AddSeconds(1));
        await rig.WebhookAsync("carts/update", EnricherRig.Cart(cart, variant, 3, "2026-02-11T09:08:00-05:00"), cart, T0.AddSeconds(2));
        await rig.WebhookAsync("carts/update", EnricherRig.Cart(cart, variant, 0, "2026-02-11T09:09:00-05:00"), cart, T0.AddSeconds(3));
        await rig.WebhookAsync("carts/update", EnricherRig.Cart(cart, variant, 1, "2026-02-11T09:10:00-05:00"), cart, T0.AddSeconds(4));
        // The same update delivered again (a Shopify retry slipping past Ingest) adds nothing.
        await rig.WebhookAsync("carts/update", EnricherRig.Cart(cart, variant, 1, "2026-02-11T09:10:00-05:00"), cart, T0.AddSeconds(5));

        var events = (await rig.EventsAsync(4, Patience)).Select(e => e.Event).ToList();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(("add_to_cart", SessionClickId), (e.EventName, e.UserData.ClickId)));
        Assert.Equal(added.EventId, events[0].EventId);
        Assert.Equal(EventIds.AddToCart(TestSettings.Shop, cart, variant, 3, "2026-02-11T09:08:00-05:00"), events[1].EventId);
        Assert.Equal(EventIds.AddToCart(TestSettings.Shop, cart, variant, 1, "2026-02-11T09:10:00-05:00"), events[2].EventId);
        Assert.Equal([1L, 2L, 1L], events.Select(e => e.CustomData.NumItems!.Value));
        Assert.Equal(["44.16", "88.32", "44.16"], events.Select(e => e.CustomData.Value));
        Assert.All(events, e => Assert.Equal("EUR", e.CustomData.Currency));
    }

    [Fact]
    public async Task An_order_already_sent_produces_nothing_new_from_a_second_create_or_its_paid_and_updated_webhooks()
    {
        await using var rig = await RigAsync(partitions: 1);
        await rig.StartAsync(EnricherRig.NewStateDirectory(), LongGrace);
        var order = EnricherRig.Order("9007199254741003", "cart-sent");
        await rig.StorefrontAsync(Session("cart-sent", "pixel-page_viewed.json"), T0);

        await rig.WebhookAsync("orders/create", order, "cart-sent", T0.AddSeconds(1));
        await rig.WebhookAsync("orders/create", order, "cart-sent", T0.AddSeconds(2));
        await rig.WebhookAsync("orders/paid", order, "cart-sent", T0.AddSeconds(3));
        await rig.WebhookAsync("orders/updated", order, "cart-sent", T0.AddSeconds(4));

        Assert.Single(await rig.EventsAsync(2, TimeSpan.FromSeconds(8)));
    }

    [Fact]
    public async Task An_order_that_cannot_be_mapped_is_dead_lettered_at_once_not_after_waiting_for_its_session()
    {
        await using var rig = await RigAsync(partitions: 1);
        await rig.StartAsync(EnricherRig.NewStateDirectory(), LongGrace);
        var order = System.Text.Json.Nodes.JsonNode.Parse(EnricherRig.Order("9007199254741005", "cart-bad"))!;
        order["created_at"] = "0001-01-01T00:00:00Z";

        await rig.WebhookAsync("orders/create", System.Text.Encoding.UTF8.GetBytes(order.ToJsonString()), "cart-bad", T0);

        var letter = Assert.Single(kafka.ReadAll(rig.Topics.DeadLetters.Name, 1, TimeSpan.FromSeconds(10)));
        var read = await rig.Serdes.DeserializeAsync<DeadLetter>(letter.Message.Value, rig.Topics.DeadLetters.Name);
        Assert.Equal("unmappable", read.Reason);
        Assert.Contains("plausible", read.Error, StringComparison.Ordinal);
        Assert.Empty(await rig.EventsAsync(1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_storefront_event_whose_event_is_not_json_is_dead_lettered_and_the_session_behind_it_still_recorded()
    {
        await using var rig = await RigAsync(partitions: 1);
        await rig.StartAsync(EnricherRig.NewStateDirectory(), LongGrace);
        var broken = Session("cart-broken", "pixel-page_viewed.json");
        broken.Event = [0x7B, 0xC3, 0x28, 0x7D];

        await rig.StorefrontAsync(broken, T0);
        await rig.StorefrontAsync(Session("cart-fine", "pixel-page_viewed.json"), T0.AddSeconds(1));
        await rig.WebhookAsync("orders/create", EnricherRig.Order("9007199254741007", "cart-fine"), "cart-fine", T0.AddSeconds(2));

        var letter = Assert.Single(kafka.ReadAll(rig.Topics.DeadLetters.Name, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal("unmappable", (await rig.Serdes.DeserializeAsync<DeadLetter>(letter.Message.Value, rig.Topics.DeadLetters.Name)).Reason);
        Assert.Equal(SessionClickId, Assert.Single(await rig.EventsAsync(1, Patience)).Event.UserData.ClickId);
    }

    [Fact]
    public async Task A_session_still_unread_behind_a_storefront_backlog_holds_back_the_grace_period_of_its_order()
    {
        // Everything is on the broker before the enricher starts, as after a restart or a partition move.
        // The webhooks are fetched at once; the session sits behind megabytes of other storefront events,
        // several fetches away. The later order must not end the first order's grace period before the
        // session is read: stream time waits for an input that still has unread records.
        const int backlog = 1200;
        await using var rig = await RigAsync(partitions: 1);
        await Task.WhenAll(Enumerable.Range(0, backlog)
            .Select(i => rig.StorefrontAsync(Session($"cart-backlog-{i}", "pixel-page_viewed.json"), T0.AddSeconds(i - backlog))));

        var session = Session("cart-behind", "pixel-page_viewed.json");
        session.ClickId = "click-behind";
        await rig.StorefrontAsync(session, T0);
        await rig.WebhookAsync("orders/create", EnricherRig.Order("9007199254741011", "cart-behind"), "cart-behind", T0.AddMilliseconds(500));
        await rig.WebhookAsync("orders/create", EnricherRig.Order("9007199254741013", "cart-backlog-0"), "cart-backlog-0", T0.AddSeconds(60));

        await rig.StartAsync(EnricherRig.NewStateDirectory(), new Dictionary<string, string?>
        {
            ["Enricher:GracePeriod"] = "00:00:05",
            ["Enricher:GraceWallClockCap"] = "00:01:00",
            ["Enricher:MaxBatchSize"] = "20",
        });

        var checkouts = (await rig.EventsAsync(2, TimeSpan.FromSeconds(30))).Where(e => e.Event.EventName == "checkout").ToList();
        var behind = Assert.Single(checkouts, e => e.Event.EventId == "9007199254741011").Event;
        Assert.Equal("click-behind", behind.UserData.ClickId);
        Assert.Equal(SessionClickId, Assert.Single(checkouts, e => e.Event.EventId == "9007199254741013").Event.UserData.ClickId);
    }

    [Fact]
    public async Task Two_instances_with_partitions_moving_between_them_join_every_cart_right()
    {
        const int carts = 60;
        await using var rig = await RigAsync(partitions: 6);
        var settings = new Dictionary<string, string?> { ["Enricher:GracePeriod"] = "00:00:05", ["Enricher:GraceWallClockCap"] = "00:00:20" };
        await rig.StartAsync(EnricherRig.NewStateDirectory(), settings);

        var second = default(TestHost);
        for (var i = 0; i < carts; i++)
        {
            var cart = $"cart-move-{i}";
            var session = Session(cart, "pixel-page_viewed.json");
            session.ClickId = $"click-{i}";
            await rig.StorefrontAsync(session, T0.AddSeconds(i));
            await rig.WebhookAsync("orders/create", EnricherRig.Order((9007199254750000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture), cart), cart, T0.AddSeconds(i).AddMilliseconds(500));
            if (i == carts / 3)
            {
                // A second member joins: partitions move to it in the middle of the stream.
                second = await rig.StartAsync(EnricherRig.NewStateDirectory(), settings);
            }

            await Task.Delay(50);
        }

        var events = (await rig.EventsAsync(carts, TimeSpan.FromSeconds(60))).Where(e => e.Event.EventName == "checkout").ToList();
        var byId = events.GroupBy(e => e.Event.EventId).ToList();
        Assert.Equal(carts, byId.Count);
        foreach (var group in byId)
        {
            var i = (int)(long.Parse(group.Key, System.Globalization.CultureInfo.InvariantCulture) - 9007199254750000L);
            Assert.All(group, e => Assert.Equal($"click-{i}", e.Event.UserData.ClickId));
            // Emitted again after a move: byte for byte the same record.
            Assert.All(group, e => Assert.Equal(group.First().Bytes, e.Bytes));
        }

        Assert.NotNull(second);
        Assert.Contains(second.Logs.Lines, l => l.Message.Contains("was assigned", StringComparison.Ordinal));
        output.WriteLine($"{carts} carts joined right across a partition move; {events.Count - carts} checkout event(s) emitted again, all byte-identical.");
    }

    private async Task<EnricherRig> RigAsync(int partitions) => new(kafka, await kafka.CreateTopicsAsync(partitions));

    private int Changelog(EnricherRig rig) => kafka.ReadAll(rig.Topics.EnricherState.Name, 1, TimeSpan.FromMilliseconds(200)).Count;

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "The condition did not come true in time.");
            await Task.Delay(100);
        }
    }

    private static StorefrontEvent Session(string cartToken, string fixture)
    {
        using var pixel = JsonDocument.Parse(ShopifySamples.Fixture(fixture));
        return SessionTests.Event(pixel, T0.ToUnixTimeMilliseconds(), SessionClickId, SessionIp, SessionUa, cartToken);
    }
}
