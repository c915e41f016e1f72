using Streaming.Enricher.Privacy;

namespace Streaming.Enricher.Tests.Privacy;

/// <summary>The compliance requests against one partition's state held in memory: what is found, erased, reported and kept.</summary>
public sealed class PrivacyProcessorTests : IDisposable
{
    // The web order fixture's customer: e-mail "  Zoe.Angstrom@Example.NET ", customer id 9007199254748811.
    private const string Sent = "9007199254740993";
    private const string Waiting = "9007199254740995";

    private readonly ProcessorHarness _harness = new();
    private readonly DateTimeOffset _t0 = DateTimeOffset.UtcNow.AddMinutes(-10);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Customers_redact_erases_the_cart_checkout_link_and_waiting_order_of_the_customer_and_keeps_another_cart()
    {
        await SeedAsync();
        var context = _harness.Context();

        var outcome = await new PrivacyProcessor().ProcessAsync(Request(ShopifyTopics.CustomersRedact, $$"""{"customer":{"id":1,"email":"zoe.angstrom@example.net"},"orders_to_redact":[{{Sent}}]}"""), _harness.Shop, Ms(10), context);
        await _harness.CommitAsync();

        Assert.Equal(SkipReasons.PrivacyRequest, outcome);
        Assert.Null(_harness.Disk.Read(ProcessorHarness.Cart("cart-sent")));
        Assert.Null(_harness.Disk.Read(CartStates.CheckoutLink(TestSettings.Shop, "checkout-sent")));
        Assert.Empty(_harness.States().Scan(CartStates.WaitingPrefix));
        Assert.Equal(0, _harness.Waiting.Count);
        Assert.NotNull((await _harness.ReadAsync(ProcessorHarness.Cart("cart-other")))?.Session);
        var report = Assert.Single(context.Output.PrivacyReports);
        Assert.Equal((PrivacyReport.Erased, "1", 0), (report.Action, report.CustomerId, report.Part));
        var holding = Assert.Single(report.Holdings);
        Assert.Equal(3, holding.Entries);
        Assert.Equal(
            [PersonalDataStores.Kinds.CheckoutLink, PersonalDataStores.Kinds.ClickId, PersonalDataStores.Kinds.IpAddress, PersonalDataStores.Kinds.LandingUrl,
             PersonalDataStores.Kinds.OrderIds, PersonalDataStores.Kinds.PinterestEvent, PersonalDataStores.Kinds.UserAgent],
            holding.Kinds);
        // Partition 0's copy also has the dead letters searched; no other copy does.
        Assert.Equal(report, Assert.Single(context.Output.DeadLetterErasures).Report);
    }

    [Fact]
    public async Task Customers_data_request_reports_what_is_held_and_changes_nothing()
    {
        await SeedAsync();
        var context = new ProcessorContext(_harness.States(), _harness.Waiting, _harness.Clock) { Partition = 1 };

        await new PrivacyProcessor().ProcessAsync(Request(ShopifyTopics.CustomersDataRequest, $$"""{"customer":{"id":9007199254748811},"orders_requested":[{{Sent}}],"data_request":{"id":42} }"""), _harness.Shop, Ms(10), context);
        await _harness.CommitAsync();

        var report = Assert.Single(context.Output.PrivacyReports);
        Assert.Equal((PrivacyReport.Reported, "9007199254748811", "42"), (report.Action, report.CustomerId, report.DataRequestId));
        Assert.Equal(3, Assert.Single(report.Holdings).Entries);
        Assert.NotNull(_harness.Disk.Read(ProcessorHarness.Cart("cart-sent")));
        Assert.Single(_harness.States().Scan(CartStates.WaitingPrefix));
        // Not partition 0: the dead letters are someone else's part.
        Assert.Empty(context.Output.DeadLetterErasures);
    }

    [Fact]
    public async Task Shop_redact_erases_every_entry_of_the_shop()
    {
        await SeedAsync();
        var context = _harness.Context();

        await new PrivacyProcessor().ProcessAsync(Request(ShopifyTopics.ShopRedact, """{"shop_id":1,"shop_domain":"test-shop.myshopify.com"}"""), _harness.Shop, Ms(10), context);
        await _harness.CommitAsync();

        Assert.Empty(_harness.States().Scan(""));
        Assert.Equal(4, Assert.Single(Assert.Single(context.Output.PrivacyReports).Holdings).Entries);
    }

    [Theory]
    [InlineData("""{"shop_id":1}""")]
    [InlineData("""{"customer":{},"orders_to_redact":[]}""")]
    public async Task A_customers_redact_that_names_nobody_is_refused(string body)
    {
        var error = await Assert.ThrowsAsync<Streaming.Enricher.Orders.UnmappableWebhookException>(() =>
            new PrivacyProcessor().ProcessAsync(Request(ShopifyTopics.CustomersRedact, body), _harness.Shop, Ms(0), _harness.Context()));

        Assert.Contains("names no customer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Order_ids_above_two_to_the_53_are_kept_exactly()
    {
        var request = ComplianceRequest.Parse(Request(ShopifyTopics.CustomersRedact, """{"customer":{"id":9007199254748811,"phone":"555-625-1199"},"orders_to_redact":[9007199254740993,"gid://shopify/Order/9007199254740995"]}"""));

        Assert.Equal(["9007199254740993", "9007199254740995"], request.OrderIds.Order(StringComparer.Ordinal));
        Assert.Equal(("9007199254748811", "555-625-1199", null), (request.CustomerId, request.Phone, request.Email));
    }

    [Fact]
    public async Task A_shops_own_session_retention_expires_its_entries_sooner_than_the_enrichers()
    {
        var clock = new ManualClock(_t0);
        var states = new CartStates(_harness.Store, _harness.Serdes, ProcessorHarness.ChangelogTopic, TimeSpan.FromDays(30), clock, shop => shop == "brief.myshopify.com" ? TimeSpan.FromHours(1) : null);
        await states.WriteAsync("brief.myshopify.com/cart", new EnricherState { Session = new Session { ClientIp = "198.51.100.1" } }, _t0.ToUnixTimeMilliseconds());
        await states.WriteAsync("long.myshopify.com/cart", new EnricherState { Session = new Session { ClientIp = "198.51.100.2" } }, _t0.ToUnixTimeMilliseconds());
        await _harness.CommitAsync();

        clock.Now = _t0.AddHours(2);
        var later = new CartStates(_harness.Store, _harness.Serdes, ProcessorHarness.ChangelogTopic, TimeSpan.FromDays(30), clock, shop => shop == "brief.myshopify.com" ? TimeSpan.FromHours(1) : null);

        Assert.Null(await later.ReadAsync("brief.myshopify.com/cart"));
        Assert.NotNull(await later.ReadAsync("long.myshopify.com/cart"));
    }

    // A sent order with its session and checkout link; an order of the same customer still waiting for its
    // session; another shopper's cart with a session.
    private async Task SeedAsync()
    {
        await _harness.Storefront.ProcessAsync(ProcessorHarness.Session("cart-sent", "click-sent", _t0), _harness.Shop, Ms(0), _harness.Context());
        await _harness.Checkouts.ProcessAsync(ProcessorHarness.Webhook("checkouts/create", Encoding.UTF8.GetBytes("""{"token":"checkout-sent","cart_token":"cart-sent"}"""), _t0), _harness.Shop, Ms(0), _harness.Context());
        Assert.Equal(RecordOutcomes.Mapped, await _harness.Orders.ProcessAsync(ProcessorHarness.Order(Sent, "cart-sent", _t0.AddSeconds(1), "checkout-sent"), _harness.Shop, Ms(1), _harness.Context()));
        Assert.Equal(RecordOutcomes.Waiting, await _harness.Orders.ProcessAsync(ProcessorHarness.Order(Waiting, "cart-waiting", _t0.AddSeconds(2)), _harness.Shop, Ms(2), _harness.Context(Ms(2))));
        await _harness.Storefront.ProcessAsync(ProcessorHarness.Session("cart-other", "click-other", _t0), _harness.Shop, Ms(3), _harness.Context());
        await _harness.CommitAsync();
        Assert.Equal(1, _harness.Waiting.Count);
    }

    private static ShopifyWebhook Request(string topic, string body) =>
        ProcessorHarness.Webhook(topic, Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow);

    private long Ms(int seconds) => _t0.AddSeconds(seconds).ToUnixTimeMilliseconds();
}
