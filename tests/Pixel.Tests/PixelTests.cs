using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Streaming.Enricher;
using Streaming.Ingest;
using Streaming.Records;

namespace Streaming.Pixel.Tests;

/// <summary>
/// The storefront pixel as Ingest serves it, run in headless Chromium on a page of its own origin with a
/// stand-in for Shopify's Web Pixels API, posting to a real Ingest over loopback.
/// </summary>
[Collection(OnKafka.Name)]
public sealed partial class PixelTests(KafkaFixture kafka, Browser browser) : IClassFixture<Browser>, IAsyncLifetime
{
    private const string TagId = "2612345678901";
    private const string Epik = "dj0yJnU9S0tmaXh0dXJlJm49WmVvJm09Mg";
    private const string CartToken = "Z2NwLXVzLWVhc3QxOjAxS0gzVjdRWjJNOFhXNFI2VDlCNU4wQ0RF";
    private const string OrderId = "9007199254740993";

    private static readonly string[] Subscribed =
        [
            "cart_viewed", "checkout_completed", "checkout_started", "collection_viewed", "form_submitted", "page_viewed", "payment_info_submitted",
            "product_added_to_cart", "product_viewed", "search_submitted",
        ];

    private static readonly object AllAllowed = Privacy(analytics: true, marketing: true);

    private readonly List<IAsyncDisposable> _running = [];
    private readonly List<IBrowserContext> _contexts = [];
    private TestTopics _topics = null!;
    private Dictionary<string, string?> _settings = null!;
    private StorefrontPage _page = null!;
    private TestHost _ingest = null!;

    public async Task InitializeAsync()
    {
        _topics = await kafka.CreateTopicsAsync();
        _page = await StorefrontPage.StartAsync();
        _running.Add(_page);
        _settings = TestSettings.For(kafka.BootstrapServers, _topics);
        _settings["Shops:0:StorefrontOrigins:0"] = _page.Origin.ToString();
        _settings["Shops:0:Pinterest:TagId"] = TagId;
        _ingest = await TestHost.StartAsync(_settings, b => b.AddIngest(), app => app.MapIngest());
        _running.Add(_ingest);
    }

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }

        foreach (var running in Enumerable.Reverse(_running))
        {
            await running.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ingest_serves_the_pixel_with_the_shops_settings_as_cacheable_javascript()
    {
        using var http = new HttpClient { BaseAddress = _ingest.BaseUrl };

        using var served = await http.GetAsync($"/pixel.js?shop={TestSettings.Shop.ToUpperInvariant()}");
        var script = await served.Content.ReadAsStringAsync();
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/pixel.js?shop={TestSettings.Shop}");
        again.Headers.IfNoneMatch.Add(served.Headers.ETag!);
        using var notModified = await http.SendAsync(again);
        using var unknown = await http.GetAsync("/pixel.js?shop=other-shop.myshopify.com");
        using var none = await http.GetAsync("/pixel.js");

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("text/javascript", served.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(served.Headers.ETag);
        Assert.True(served.Headers.CacheControl?.Public);
        Assert.DoesNotContain("__PIXEL_CONFIG__", script, StringComparison.Ordinal);
        Assert.Contains($"\"collectUrl\":\"{new Uri(_ingest.BaseUrl, "/collect")}\"", script, StringComparison.Ordinal);
        Assert.Contains($"\"shop\":\"{TestSettings.Shop}\"", script, StringComparison.Ordinal);
        Assert.Contains($"\"tagId\":\"{TagId}\"", script, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("/pixel.js?shop=", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        // The size the README states: small enough to paste, and no dependencies to load.
        Assert.InRange(Encoding.UTF8.GetByteCount(script), 1_000, 12_000);
    }

    [BrowserFact]
    public async Task With_consent_it_keeps_click_id_and_cart_token_fires_the_Tag_with_each_event_id_and_posts_each_event_untouched()
    {
        var page = await OpenAsync(Init(cart: null, AllAllowed));
        var events = new[]
        {
            Fixture("page_viewed"), Fixture("product_viewed"), Fixture("cart_viewed"), Fixture("product_added_to_cart"),
            Fixture("checkout_started"), Fixture("checkout_completed"),
        };

        foreach (var e in events)
        {
            await PublishAsync(page, e);
        }

        var posts = await PostsAsync(page, events.Length);
        Assert.All(posts, p =>
        {
            Assert.Equal(202, p.Status);
            Assert.Equal(new Uri(_ingest.BaseUrl, "/collect").ToString(), p.Url);
            Assert.True(p.Keepalive);
            Assert.Equal("text/plain", p.ContentType);
            Assert.Equal(TestSettings.Shop, p.Body["shop"]!.GetValue<string>());
            Assert.Equal(Epik, p.Body["click_id"]!.GetValue<string>());
            Assert.True(p.Body["consent"]!["marketing"]!.GetValue<bool>());
        });
        // The Shopify event goes as it came, byte for byte equal as JSON.
        Assert.Equal(events.Select(e => e.ToJsonString()), posts.Select(p => p.Body["event"]!.ToJsonString()));
        // No cart before cart_viewed; from it on, the token, also for the add to cart that has no cart of its own.
        Assert.Equal([null, null, CartToken, CartToken, CartToken, CartToken], posts.Select(p => p.Body["cart_token"]?.GetValue<string>()));
        Assert.Equal("4f9c2e7a1b8d43c6a05e9f3d7b2c8e16", posts[5].Body["checkout_token"]!.GetValue<string>());
        Assert.Equal(OrderId, posts[5].Body["event_id"]!.GetValue<string>());
        Assert.Equal(posts.Count, posts.Select(p => p.Body["event_id"]!.GetValue<string>()).Distinct().Count());

        var tag = await TagCallsAsync(page);
        Assert.Equal(["load", TagId], tag[0].Select(a => a!.GetValue<string>()));
        Assert.Equal("page", tag[1][0]!.GetValue<string>());
        var tracked = tag.Skip(2).Select(c => (Name: c[1]!.GetValue<string>(), Id: c[2]!["event_id"]!.GetValue<string>())).ToList();
        Assert.Equal(
            [("pagevisit", Id(posts[1])), ("addtocart", Id(posts[3])), ("checkout", OrderId)],
            tracked);
        var checkout = tag[^1][2]!;
        Assert.Equal(113.62, checkout["value"]!.GetValue<double>());
        Assert.Equal("EUR", checkout["currency"]!.GetValue<string>());
        Assert.Equal(OrderId, checkout["order_id"]!.GetValue<string>());

        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "_epik");
        Assert.Equal(Epik, cookie.Value);
        Assert.InRange(DateTimeOffset.FromUnixTimeSeconds((long)cookie.Expires) - DateTimeOffset.UtcNow, TimeSpan.FromDays(364), TimeSpan.FromDays(366));
        Assert.Equal(Subscribed, await page.EvaluateAsync<string[]>("() => subscribedEvents()") ?? []);
        Assert.Empty(await page.EvaluateAsync<string[]>("() => pageErrors"));

        // What Ingest wrote: the browser's own address and user agent beside each event.
        var userAgent = await page.EvaluateAsync<string>("() => navigator.userAgent");
        var serdes = TestRecords.Serdes();
        var written = kafka.ReadAll(_topics.StorefrontEvents.Name, events.Length, TimeSpan.FromSeconds(10));
        Assert.Equal(events.Length, written.Count);
        foreach (var record in written)
        {
            var stored = await serdes.DeserializeAsync<StorefrontEvent>(record.Message.Value, record.Topic);
            Assert.Equal("127.0.0.1", stored.ClientIp);
            Assert.Equal(userAgent, stored.UserAgent);
        }
    }

    [BrowserFact]
    public async Task The_checkout_event_id_is_the_order_id_of_every_shared_vector_and_without_one_the_Tag_gets_no_checkout()
    {
        var vectors = JsonNode.Parse(File.ReadAllText(Path.Combine(ShopifySamples.RepositoryRoot(), "tests", "Fixtures", "event-ids.json")))!["checkout"]!
            .AsArray().Select(v => (Gid: v!["order_gid"]!.GetValue<string>(), Expected: v["event_id"]?.GetValue<string>())).ToList();
        var page = await OpenAsync(Init(cart: CartToken, AllAllowed));

        foreach (var (gid, _) in vectors)
        {
            var completed = Fixture("checkout_completed");
            completed["data"]!["checkout"]!["order"]!["id"] = gid;
            await PublishAsync(page, completed);
        }

        var posts = await PostsAsync(page, vectors.Count);
        var checkouts = (await TagCallsAsync(page)).Where(c => c[0]!.GetValue<string>() == "track").Select(c => c[2]!["event_id"]!.GetValue<string>()).ToList();
        for (var i = 0; i < vectors.Count; i++)
        {
            var posted = Id(posts[i]);
            if (vectors[i].Expected is { } expected)
            {
                Assert.Equal(expected, posted);
                Assert.Contains(expected, checkouts);
            }
            else
            {
                Assert.StartsWith("ck_", posted, StringComparison.Ordinal);
                Assert.DoesNotContain(posted, checkouts);
            }
        }

        Assert.Equal(vectors.Count(v => v.Expected is not null), checkouts.Count);
    }

    [BrowserFact]
    public async Task Without_marketing_consent_no_Tag_no_cookie_no_click_id_and_only_what_joins_an_order_is_posted()
    {
        var page = await OpenAsync(Init(cart: null, Privacy(analytics: true, marketing: false)));

        await PublishAsync(page, Fixture("page_viewed"));
        await PublishAsync(page, Fixture("cart_viewed"));
        await PublishAsync(page, Fixture("checkout_completed"));

        var posts = await PostsAsync(page, 2);
        Assert.Equal(["cart_viewed", "checkout_completed"], posts.Select(p => p.Body["event"]!["name"]!.GetValue<string>()));
        Assert.All(posts, p =>
        {
            Assert.Null(p.Body["click_id"]);
            Assert.False(p.Body["consent"]!["marketing"]!.GetValue<bool>());
            Assert.Equal(202, p.Status);
        });
        Assert.Empty(await TagCallsAsync(page));
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "_epik");
        await AssertNothingMoreAsync(page, posted: 2);
    }

    [BrowserFact]
    public async Task Without_analytics_or_marketing_consent_nothing_is_posted_and_consent_given_later_applies_from_the_next_event()
    {
        var page = await OpenAsync(Init(cart: CartToken, Privacy(analytics: false, marketing: false)));

        await PublishAsync(page, Fixture("page_viewed"));
        await PublishAsync(page, Fixture("cart_viewed"));
        await AssertNothingMoreAsync(page, posted: 0);
        Assert.Empty(await TagCallsAsync(page));

        await page.EvaluateAsync("p => giveConsent(p)", AllAllowed);
        await PublishAsync(page, Fixture("product_viewed"));

        var post = Assert.Single(await PostsAsync(page, 1));
        Assert.Equal("product_viewed", post.Body["event"]!["name"]!.GetValue<string>());
        Assert.Equal(Epik, post.Body["click_id"]!.GetValue<string>());
        Assert.Equal(CartToken, post.Body["cart_token"]!.GetValue<string>());
        Assert.True(post.Body["consent"]!["analytics"]!.GetValue<bool>());
        var track = Assert.Single(await TagCallsAsync(page), c => c[0]!.GetValue<string>() == "track");
        Assert.Equal(Id(post), track[2]!["event_id"]!.GetValue<string>());
        Assert.Contains(await page.Context.CookiesAsync(), c => c.Name == "_epik" && c.Value == Epik);

        // Withdrawn again: the Tag stops, and the click id is no longer sent.
        await page.EvaluateAsync("p => giveConsent(p)", Privacy(analytics: true, marketing: false));
        await PublishAsync(page, Fixture("checkout_started"));
        var posts = await PostsAsync(page, 2);
        Assert.Null(posts[1].Body["click_id"]);
        Assert.Single(await TagCallsAsync(page), c => c[0]!.GetValue<string>() == "track");
    }

    [BrowserFact]
    public async Task Without_epik_in_the_address_the_click_id_comes_from_the_epik_cookie_of_an_earlier_visit()
    {
        var context = await NewContextAsync();
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "_epik", Value = "from-an-earlier-visit", Url = _page.Origin.ToString() }]);
        var page = await OpenAsync(Init(cart: CartToken, AllAllowed), context);

        await PublishAsync(page, Fixture("cart_viewed"));

        Assert.Equal("from-an-earlier-visit", Assert.Single(await PostsAsync(page, 1)).Body["click_id"]!.GetValue<string>());
    }

    [BrowserFact]
    public async Task Odd_events_and_a_failing_sandbox_never_reach_the_page_as_errors()
    {
        var page = await OpenAsync(Init(cart: null, AllAllowed));
        // A cookie API that throws and a storage that rejects: the sandbox may deny either.
        await page.EvaluateAsync("""
            () => {
              browser.cookie.get = () => { throw new Error('cookies denied'); };
              browser.localStorage.setItem = () => Promise.reject(new Error('storage denied'));
            }
            """);

        await page.EvaluateAsync("() => publish('page_viewed', null)");
        await page.EvaluateAsync("() => publish('product_added_to_cart', { id: 'x', name: 'product_added_to_cart', timestamp: 'not a time', clientId: 'c', context: 42, data: { cartLine: 'nope' } })");
        await page.EvaluateAsync("() => publish('checkout_completed', { name: 'checkout_completed', data: { checkout: { order: { id: {} }, lineItems: 'none' } } })");
        await PublishAsync(page, Fixture("cart_viewed"));

        // The fixture still goes through; what Ingest refused was answered 400, not thrown.
        await page.WaitForFunctionAsync("() => collected.some(c => c.status === 202)");
        Assert.Empty(await page.EvaluateAsync<string[]>("() => pageErrors"));
    }

    [BrowserFact]
    public async Task The_order_the_enricher_maps_carries_the_browsers_click_id_address_user_agent_and_the_event_id_the_Tag_got()
    {
        _running.Add(await TestHost.StartAsync(_settings, b => b.AddEnricher()));
        var page = await OpenAsync(Init(cart: null, AllAllowed));

        await PublishAsync(page, Fixture("page_viewed"));
        await PublishAsync(page, Fixture("checkout_completed"));
        await PostsAsync(page, 2);
        using var http = new HttpClient();
        using var webhook = ShopifySamples.SignedWebhook(_ingest.BaseUrl, ShopifySamples.WebOrder(), TestSettings.Secret, TestSettings.Shop);
        webhook.Headers.Add("X-Shopify-Triggered-At", DateTime.UtcNow.ToString("O"));
        using var answer = await http.SendAsync(webhook);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

        var serdes = TestRecords.Serdes();
        PinterestEvent? checkout = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (checkout is null && DateTime.UtcNow < deadline)
        {
            foreach (var record in kafka.ReadAll(_topics.PinterestEvents.Name, int.MaxValue, TimeSpan.FromSeconds(1)))
            {
                var e = await serdes.DeserializeAsync<PinterestEvent>(record.Message.Value, record.Topic);
                checkout = e.EventName == "checkout" ? e : checkout;
            }
        }

        Assert.NotNull(checkout);
        var tagCheckout = Assert.Single(await TagCallsAsync(page), c => c.Count > 1 && c[1]!.GetValue<string>() == "checkout");
        Assert.Equal(tagCheckout[2]!["event_id"]!.GetValue<string>(), checkout.EventId);
        Assert.Equal(OrderId, checkout.EventId);
        Assert.Equal(Epik, checkout.UserData.ClickId);
        Assert.Equal("127.0.0.1", checkout.UserData.ClientIpAddress);
        Assert.Equal(await page.EvaluateAsync<string>("() => navigator.userAgent"), checkout.UserData.ClientUserAgent);
    }

    private static object Privacy(bool analytics, bool marketing) => new
    {
        analyticsProcessingAllowed = analytics,
        marketingAllowed = marketing,
        preferencesProcessingAllowed = false,
        saleOfDataAllowed = true,
    };

    private static object Init(string? cart, object privacy) => new
    {
        context = new { },
        data = new { cart = cart is null ? null : new { id = cart }, shop = new { myshopifyDomain = TestSettings.Shop } },
        customerPrivacy = privacy,
    };

    private static JsonObject Fixture(string name) =>
        JsonNode.Parse(ShopifySamples.Fixture($"pixel-{name}.json"))!.AsObject();

    private static string Id(Post post) => post.Body["event_id"]!.GetValue<string>();

    private async Task<IBrowserContext> NewContextAsync()
    {
        var context = await browser.Use().NewContextAsync();
        _contexts.Add(context);
        return context;
    }

    private async Task<IPage> OpenAsync(object init, IBrowserContext? context = null)
    {
        context ??= await NewContextAsync();
        await context.AddInitScriptAsync($"window.__init = {JsonSerializer.Serialize(init)};");
        var page = await context.NewPageAsync();
        await page.GotoAsync(_page.Url(new Uri(_ingest.BaseUrl, $"/pixel.js?shop={TestSettings.Shop}")));
        await page.WaitForFunctionAsync($"() => subscribedEvents().length === {Subscribed.Length}");
        return page;
    }

    private static async Task PublishAsync(IPage page, JsonObject shopifyEvent) =>
        await page.EvaluateAsync("([name, text]) => publish(name, JSON.parse(text))", new[] { shopifyEvent["name"]!.GetValue<string>(), shopifyEvent.ToJsonString() });

    /// <summary>The pixel's posts so far, in order, once at least <paramref name="count"/> have their answer.</summary>
    private static async Task<List<Post>> PostsAsync(IPage page, int count)
    {
        await page.WaitForFunctionAsync("n => collected.length >= n && collected.every(c => c.status !== null)", count, new() { Timeout = 15_000 });
        var posts = JsonNode.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(collected)"))!.AsArray();
        return [.. posts.Select(p => new Post(
            p!["url"]!.GetValue<string>(),
            p["keepalive"]!.GetValue<bool>(),
            p["contentType"]?.GetValue<string>(),
            JsonNode.Parse(p["body"]!.GetValue<string>())!.AsObject(),
            p["status"]!.GetValueKind() == JsonValueKind.Number ? p["status"]!.GetValue<int>() : -1))];
    }

    private static async Task<List<JsonArray>> TagCallsAsync(IPage page) =>
        [.. JsonNode.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(pintrkCalls)"))!.AsArray().Select(c => c!.AsArray())];

    /// <summary>Gives the pixel time to post what it should not have, then checks it did not.</summary>
    private static async Task AssertNothingMoreAsync(IPage page, int posted)
    {
        await page.WaitForTimeoutAsync(500);
        Assert.Equal(posted, await page.EvaluateAsync<int>("() => collected.length"));
    }

    private sealed record Post(string Url, bool Keepalive, string? ContentType, JsonObject Body, int Status);
}
