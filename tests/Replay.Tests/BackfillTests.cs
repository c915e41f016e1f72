using System.Globalization;

namespace Streaming.Replay.Tests;

/// <summary>
/// Scenario 3, install-time backfill: the shop's orders of the last days come from the Admin GraphQL API
/// (paginated, throttled once), go in as orders/create records marked as backfill, and reach Pinterest
/// through the live enricher and dispatcher, once.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class BackfillTests(KafkaFixture kafka) : OnReplayRig(kafka)
{
    private const string AdminToken = "shpat_test_admin_token";
    private FakeShopifyAdmin _shopify = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Rig.Settings["Shops:0:AdminApiToken"] = AdminToken;
        _shopify = await FakeShopifyAdmin.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await _shopify.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Recent_web_orders_from_the_Admin_API_reach_Pinterest_once_within_Shopify_s_limits()
    {
        var now = DateTimeOffset.UtcNow;
        _shopify.Pages.Add([Order("9007199254740993", now.AddDays(-3), "cart-1"), Order("820982911946154508", now.AddDays(-1), cartToken: null)]);
        _shopify.Pages.Add([Order("9007199254741003", now.AddDays(-2), "cart-3", sourceName: "pos"), Order("9007199254741005", now.AddDays(-8), "cart-4")]);
        _shopify.ThrottledCalls.Add(2);
        await Rig.StartEnricherAsync();
        await Rig.StartDispatcherAsync();

        var first = await Rig.Tool.RunDoneAsync("backfill", "--shop", Shop, "--admin-url", _shopify.Endpoint, "--progress-every", "0.5");

        Assert.Equal(4, first.Count("records read"));
        Assert.Equal(2, first.Count($"{Shop} checkout"));
        Assert.Equal(1, first.Count("enricher_pos"));
        Assert.Equal(1, first.Count("outside_window"));
        Assert.Contains("Shopify throttled 1 request(s)", first.Output, StringComparison.Ordinal);
        await Rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["9007199254740993", "820982911946154508"], ReplayRig.Patience);
        var sent = Rig.Pinterest.Requests.SelectMany(r => r.Events).Single(e => e.GetProperty("event_id").GetString() == "820982911946154508");
        Assert.Equal(TestRecords.EmailHash, sent.GetProperty("user_data").GetProperty("em")[0].GetString());
        Assert.Equal("198.51.100.23", sent.GetProperty("user_data").GetProperty("client_ip_address").GetString());

        var requests = _shopify.Requests;
        Assert.All(requests, r => Assert.Equal(AdminToken, r.Token));
        var search = requests[0].Body["variables"]!["query"]!.GetValue<string>();
        Assert.StartsWith("created_at:>='", search, StringComparison.Ordinal);
        Assert.Equal(3, requests.Count); // page 1, page 2 throttled, page 2 again
        var webhooks = await Rig.ReadAsync<ShopifyWebhook>(Rig.Topics.ShopifyWebhooks.Name, 2);
        Assert.All(webhooks, w =>
        {
            Assert.Equal("orders/create", w.Topic);
            Assert.NotNull(w.BackfillRun);
            Assert.StartsWith("backfill-", w.WebhookId, StringComparison.Ordinal);
        });
        var events = await Rig.ReadAsync<PinterestEvent>(Rig.Topics.PinterestEvents.Name, 2);
        Assert.All(events, e => Assert.StartsWith("backfill/", e.Replay, StringComparison.Ordinal));

        await Rig.WaitForProcessedAsync(2);
        await AssertSendsNothingAgainAsync(["backfill", "--shop", Shop, "--admin-url", _shopify.Endpoint], 2, "9007199254740993", "820982911946154508");
    }

    [Fact]
    public async Task A_refused_Admin_token_fails_the_run_with_a_message_that_names_it()
    {
        Rig.Settings["Shops:0:AdminApiToken"] = "wrong";
        await using var refusing = await RefusingShopify.StartAsync();

        var run = await Rig.Tool.RunAsync("backfill", "--shop", Shop, "--admin-url", refusing.Endpoint);

        Assert.Equal(ReplayCli.Failed, run.ExitCode);
        Assert.Contains("refused the Admin API token", run.Error, StringComparison.Ordinal);
        Assert.Contains("AdminApiToken", run.Error, StringComparison.Ordinal);
    }

    /// <summary>An order node as the orders query returns it (API version 2026-10).</summary>
    private static JsonObject Order(string id, DateTimeOffset createdAt, string? cartToken, string sourceName = "web")
    {
        var at = createdAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["legacyResourceId"] = id,
            ["name"] = "#1001",
            ["email"] = " Test@Example.com",
            ["createdAt"] = at,
            ["processedAt"] = at,
            ["updatedAt"] = at,
            ["cancelledAt"] = null,
            ["test"] = false,
            ["sourceName"] = sourceName,
            ["cartToken"] = cartToken,
            ["checkoutToken"] = null,
            ["clientIp"] = "198.51.100.23",
            ["statusPageUrl"] = $"https://{Shop}/orders/{id}",
            ["customerJourneySummary"] = new JsonObject { ["firstVisit"] = new JsonObject { ["landingPage"] = "https://shop.example/?epik=dj0yJnU9YmFja2ZpbGw" } },
            ["customAttributes"] = new JsonArray(),
            ["currencyCode"] = "USD",
            ["presentmentCurrencyCode"] = "USD",
            ["subtotalPriceSet"] = Money("40.00"),
            ["totalPriceSet"] = Money("45.00"),
            ["customer"] = new JsonObject { ["legacyResourceId"] = "7001", ["email"] = "test@example.com", ["firstName"] = "Zoë", ["lastName"] = "Ångström" },
            ["billingAddress"] = new JsonObject { ["firstName"] = "Zoë", ["lastName"] = "Ångström", ["city"] = "Berlin", ["provinceCode"] = null, ["zip"] = "10115", ["countryCodeV2"] = "DE", ["phone"] = null },
            ["shippingAddress"] = null,
            ["lineItems"] = new JsonObject
            {
                ["nodes"] = new JsonArray(new JsonObject
                {
                    ["quantity"] = 2,
                    ["title"] = "Stoneware mug",
                    ["vendor"] = "Kiln & Co",
                    ["variant"] = new JsonObject { ["legacyResourceId"] = "40000000001" },
                    ["product"] = new JsonObject { ["legacyResourceId"] = "30000000001" },
                    ["originalUnitPriceSet"] = Money("20.00"),
                }),
            },
        };
    }

    private static JsonObject Money(string amount) => new()
    {
        ["shopMoney"] = new JsonObject { ["amount"] = amount, ["currencyCode"] = "USD" },
        ["presentmentMoney"] = new JsonObject { ["amount"] = amount, ["currencyCode"] = "USD" },
    };

    /// <summary>An Admin API that answers 401, as Shopify does for a wrong or revoked token.</summary>
    private sealed class RefusingShopify : IAsyncDisposable
    {
        private readonly Microsoft.AspNetCore.Builder.WebApplication _app;

        private RefusingShopify(Microsoft.AspNetCore.Builder.WebApplication app) => _app = app;

        public string Endpoint => $"{TestHost.ListeningAddress(_app).ToString().TrimEnd('/')}/admin/api/{{version}}/graphql.json";

        public static async Task<RefusingShopify> StartAsync()
        {
            var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
            Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseUrls(builder.WebHost, "http://127.0.0.1:0");
            var app = builder.Build();
            Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapPost(app, "/admin/api/{version}/graphql.json", () => Microsoft.AspNetCore.Http.Results.Json(new { errors = "[API] Invalid API key or access token (unrecognized login or wrong password)" }, statusCode: 401));
            await app.StartAsync();
            return new RefusingShopify(app);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
