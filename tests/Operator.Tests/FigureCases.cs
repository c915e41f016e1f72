namespace Streaming.Operator.Tests;

/// <summary>What the page (and the gauges) must say over a window, or over every window when <see cref="Window"/> is null.</summary>
public sealed record Expect(string? Window, string Figure, double? Value);

/// <summary>A shop of its own, the records fed for it, and the figures they must give.</summary>
public sealed record FigureCase(string Name, string Shop, Func<DateTimeOffset, IEnumerable<Fed>> Records, Func<DateTimeOffset, IEnumerable<Expect>> Expected)
{
    public override string ToString() => Name;
}

/// <summary>The table of cases: each feeds a few records and names the figures they must give.</summary>
public static class FigureCases
{
    public static readonly FigureCase AcceptedCheckout = new(
        "one web order joined to its session, accepted 3 s after it was placed",
        "accepted-checkout.myshopify.com",
        now =>
        [
            Fed.Outcome("accepted-checkout.myshopify.com", "orders/create", "checkout", "mapped", now.AddMinutes(-10), joined: true, clickId: true, occurredAt: now.AddMinutes(-10).AddSeconds(-3)),
            Fed.Delivery("accepted-checkout.myshopify.com", "checkout", "processed", now.AddMinutes(-10), TimeSpan.FromSeconds(3), ["em", "ph", "client_ip_address", "client_user_agent", "click_id"]),
        ],
        now =>
        [
            new(null, "events/checkout/received", 1), new(null, "events/checkout/sent", 1), new(null, "events/checkout/accepted", 1),
            new(null, "events/checkout/failed", 0), new(null, "events/checkout/excluded", 0), new(null, "events/checkout/dead_lettered", 0),
            new(null, "events/checkout/dry_run", 0), new(null, "events/checkout/delay_p50", 3), new(null, "events/checkout/delay_p99", 3),
            new(null, "events/all/received", 1), new(null, "match/em/all", 1), new(null, "match/fn/all", 0), new(null, "match/click_id/checkout", 1),
            new(null, "web_orders/count", 1), new(null, "web_orders/joined", 1), new(null, "web_orders/click_id", 1), new(null, "web_orders/joined_share", 1),
            new(null, $"days/{Day(now.AddMinutes(-10).AddSeconds(-3))}/orders", 1),
            new(null, $"days/{Day(now.AddMinutes(-10).AddSeconds(-3))}/checkouts_accepted", 1),
            new(null, $"days/{Day(now.AddMinutes(-10).AddSeconds(-3))}/accepted_share", 1),
        ]);

    public static readonly FigureCase Windows = new(
        "page visits 30 minutes, 5 hours, 3 days and 8 days ago fall in the windows that hold them",
        "windows.myshopify.com",
        now => new[] { TimeSpan.FromMinutes(30), TimeSpan.FromHours(5), TimeSpan.FromDays(3), TimeSpan.FromDays(8) }.SelectMany(ago => new[]
        {
            Fed.Outcome("windows.myshopify.com", "storefront/product_viewed", "page_visit", "mapped", now - ago, joined: true),
            Fed.Delivery("windows.myshopify.com", "page_visit", "processed", now - ago),
        }),
        _ =>
        [
            new("1h", "events/page_visit/received", 1), new("1h", "events/page_visit/accepted", 1),
            new("24h", "events/page_visit/received", 2), new("24h", "events/page_visit/accepted", 2),
            new("7d", "events/page_visit/received", 3), new("7d", "events/page_visit/accepted", 3), new("7d", "events/all/sent", 3),
        ]);

    public static readonly FigureCase LeftOut = new(
        "orders excluded by rule, one unmappable, and events Pinterest refused, too old or already accepted",
        LeftOutShop,
        now =>
        {
            var at = now.AddMinutes(-20);
            return
            [
                Fed.Outcome(LeftOutShop, "orders/create", "checkout", "skipped", at, reason: "pos"),
                Fed.Outcome(LeftOutShop, "orders/create", "checkout", "skipped", at, reason: "pos"),
                Fed.Outcome(LeftOutShop, "orders/create", "checkout", "skipped", at, reason: "test_order"),
                Fed.Outcome(LeftOutShop, "carts/update", "add_to_cart", "skipped", at, reason: "no_marketing_consent"),
                Fed.Outcome(LeftOutShop, "orders/create", "checkout", "dead_lettered", at, reason: "unmappable"),
                Fed.Delivery(LeftOutShop, "checkout", "failed", at, TimeSpan.FromSeconds(2), reason: "pinterest_event_failed", message: "em is not a hash"),
                Fed.Delivery(LeftOutShop, "checkout", "rejected", at, TimeSpan.FromSeconds(2), reason: "pinterest_rejected_400", message: RefusalNamingShopper),
                Fed.Delivery(LeftOutShop, "checkout", "too_old", at, TimeSpan.FromDays(8), reason: "too_old", message: "Older than 7.00:00:00"),
                Fed.Delivery(LeftOutShop, "checkout", "duplicate", at),
                Fed.DeadLetter(LeftOutShop, "dispatcher", "pinterest_event_failed", "em is not a hash", at, RawBody),
                Fed.DeadLetter(LeftOutShop, "dispatcher", "pinterest_rejected_400", RefusalNamingShopper, at, RawBody),
                Fed.DeadLetter(LeftOutShop, "dispatcher", "too_old", "Older than 7.00:00:00", at, RawBody),
                Fed.DeadLetter(LeftOutShop, "enricher", "unmappable", "The order's id is not a whole number: 'abc'", at, RawBody),
            ];
        },
        now =>
        [
            new(null, "events/checkout/received", 4), new(null, "events/checkout/excluded", 3), new(null, "events/checkout/dead_lettered", 4),
            new(null, "events/checkout/sent", 2), new(null, "events/checkout/accepted", 0), new(null, "events/checkout/failed", 2),
            new(null, "events/checkout/duplicate", 1), new(null, "events/add_to_cart/received", 1), new(null, "events/add_to_cart/excluded", 1),
            new(null, "events/checkout/delay_p50", 2),
            new(null, "reasons/excluded/pos/checkout", 2), new(null, "reasons/excluded/test_order/checkout", 1),
            new(null, "reasons/excluded/no_marketing_consent/add_to_cart", 1),
            new(null, "reasons/failed/pinterest_event_failed/checkout", 1), new(null, "reasons/failed/pinterest_rejected_400/checkout", 1),
            new(null, "reasons/dead_lettered/unmappable/checkout", 1), new(null, "reasons/dead_lettered/too_old/checkout", 1),
            new(null, "reasons/dead_lettered/pinterest_event_failed/checkout", 1), new(null, "reasons/dead_lettered/pinterest_rejected_400/checkout", 1),
            new(null, $"days/{Day(now.AddMinutes(-20))}/orders", 4), new(null, $"days/{Day(now.AddMinutes(-20))}/excluded", 3),
            new(null, $"days/{Day(now.AddMinutes(-20))}/dead_lettered", 1), new(null, $"days/{Day(now.AddMinutes(-20))}/checkouts_sent", 2),
            new(null, $"days/{Day(now.AddMinutes(-20))}/checkouts_accepted", 0),
        ]);

    public static readonly FigureCase MatchQuality = new(
        "match keys, sessions and click ids of four checkouts and a dry-run add to cart; delays 1, 2, 4, 10 and 100 s",
        "match-quality.myshopify.com",
        now =>
        {
            const string shop = "match-quality.myshopify.com";
            var at = now.AddMinutes(-15);
            return
            [
                Fed.Delivery(shop, "checkout", "processed", at, TimeSpan.FromSeconds(2), ["em", "ph", "client_ip_address", "client_user_agent"]),
                Fed.Delivery(shop, "checkout", "processed", at, TimeSpan.FromSeconds(4), ["em"]),
                Fed.Delivery(shop, "checkout", "processed", at, TimeSpan.FromSeconds(10), ["em", "click_id"]),
                Fed.Delivery(shop, "checkout", "processed", at, TimeSpan.FromSeconds(100), ["ph"]),
                Fed.Delivery(shop, "add_to_cart", "dry_run", at, TimeSpan.FromSeconds(1), ["em", "click_id"]),
                Fed.Outcome(shop, "orders/create", "checkout", "mapped", at, joined: true, clickId: true),
                Fed.Outcome(shop, "orders/create", "checkout", "mapped", at, joined: true),
                Fed.Outcome(shop, "orders/create", "checkout", "mapped", at),
                Fed.Outcome(shop, "orders/create", "checkout", "mapped", at),
                Fed.Outcome(shop, "carts/update", "add_to_cart", "mapped", at, joined: true, clickId: true),
            ];
        },
        _ =>
        [
            new(null, "match/em/all", 0.8), new(null, "match/em/checkout", 0.75), new(null, "match/click_id/all", 0.4), new(null, "match/ph/checkout", 0.5),
            new(null, "match/click_id/add_to_cart", 1), new(null, "match/client_ip_address/all", 0.2), new(null, "match/zp/all", 0),
            new(null, "web_orders/count", 4), new(null, "web_orders/joined", 2), new(null, "web_orders/click_id", 1),
            new(null, "web_orders/joined_share", 0.5), new(null, "web_orders/click_id_share", 0.25),
            new(null, "events/checkout/delay_p50", 4), new(null, "events/checkout/delay_p99", 100),
            new(null, "events/all/delay_p50", 4), new(null, "events/all/delay_p99", 100),
            new(null, "events/add_to_cart/dry_run", 1), new(null, "events/add_to_cart/sent", 0), new(null, "events/checkout/accepted", 4),
        ]);

    public static readonly FigureCase Replays = new(
        "a replayed checkout and one from before event times were recorded count as sent, not in the delay; days go by event time",
        "replays.myshopify.com",
        now =>
        [
            Fed.Delivery("replays.myshopify.com", "checkout", "processed", now.AddMinutes(-25), TimeSpan.FromDays(3), replay: "resend/20261128T151200Z-3f9c"),
            Fed.Delivery("replays.myshopify.com", "checkout", "processed", now.AddMinutes(-25), noEventTime: true),
            Fed.Delivery("replays.myshopify.com", "page_visit", "processed", now.AddMinutes(-25), TimeSpan.FromSeconds(5)),
        ],
        now =>
        [
            new(null, "events/checkout/sent", 2), new(null, "events/checkout/accepted", 2), new(null, "events/checkout/delay_p50", null),
            new(null, "events/page_visit/delay_p50", 5), new(null, "events/all/delay_p99", 5),
            new(null, $"days/{Day(now.AddMinutes(-25) - TimeSpan.FromDays(3))}/checkouts_accepted", 1),
            new(null, $"days/{Day(now.AddMinutes(-25))}/checkouts_accepted", 1),
        ]);

    public static readonly FigureCase BeforeTheWindow = new(
        "a record written to Kafka 9 days ago is not read, whatever time it carries",
        "before-window.myshopify.com",
        now =>
        [
            Fed.Delivery("before-window.myshopify.com", "checkout", "processed", now.AddMinutes(-30)) with { WrittenAt = now.AddDays(-9) },
            Fed.Delivery("before-window.myshopify.com", "checkout", "processed", now.AddMinutes(-30)),
        ],
        _ => [new(null, "events/checkout/sent", 1), new(null, "events/checkout/accepted", 1)]);

    public static readonly FigureCase NewEvents = new(
        "a lead, an add_payment_info and a signup accepted; a lead and a signup left out by the shop's settings",
        "new-events.myshopify.com",
        now =>
        {
            const string shop = "new-events.myshopify.com";
            var at = now.AddMinutes(-12);
            return
            [
                Fed.Outcome(shop, "storefront/form_submitted", "lead", "mapped", at, joined: true, clickId: true),
                Fed.Outcome(shop, "storefront/form_submitted", "lead", "skipped", at, reason: "leads_off"),
                Fed.Outcome(shop, "storefront/payment_info_submitted", "add_payment_info", "mapped", at, joined: true, clickId: true),
                Fed.Outcome(shop, "customers/create", "signup", "mapped", at),
                Fed.Outcome(shop, "customers/create", "signup", "skipped", at, reason: "signups_off"),
                Fed.Delivery(shop, "lead", "processed", at, TimeSpan.FromSeconds(2), ["em", "client_ip_address", "client_user_agent", "click_id"]),
                Fed.Delivery(shop, "add_payment_info", "processed", at, TimeSpan.FromSeconds(2), ["em", "click_id"]),
                Fed.Delivery(shop, "signup", "processed", at, TimeSpan.FromSeconds(1), ["em", "ph"]),
            ];
        },
        _ =>
        [
            new(null, "events/lead/received", 2), new(null, "events/lead/excluded", 1), new(null, "events/lead/accepted", 1),
            new(null, "events/add_payment_info/received", 1), new(null, "events/add_payment_info/accepted", 1),
            new(null, "events/signup/received", 2), new(null, "events/signup/excluded", 1), new(null, "events/signup/accepted", 1),
            new(null, "reasons/excluded/leads_off/lead", 1), new(null, "reasons/excluded/signups_off/signup", 1),
            new(null, "match/click_id/lead", 1), new(null, "match/click_id/signup", 0), new(null, "match/ph/signup", 1),
            new(null, "events/all/accepted", 3), new(null, "web_orders/count", 0),
        ]);

    public static IReadOnlyList<FigureCase> All { get; } = [AcceptedCheckout, Windows, LeftOut, MatchQuality, Replays, BeforeTheWindow, NewEvents];

    public const string LeftOutShop = "left-out.myshopify.com";

    /// <summary>What a refusal from Pinterest could quote: the page masks the address and the e-mail.</summary>
    public const string RefusalNamingShopper = "Invalid client_ip_address 203.0.113.9 for ada.lovelace@example.com";

    /// <summary>A raw order body, as dead letters keep it; none of it may reach the page.</summary>
    public const string RawBody = """{"id":5820391846711,"email":"ada.lovelace@example.com","browser_ip":"203.0.113.9","phone":"+4915112345678"}""";

    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
