using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Streaming.Topology.Tests;

/// <summary>
/// Shoppers at a steady rate, shops taking turns: each lands on the storefront from a Pinterest click
/// (a /collect event carrying the click id and the cart token), then orders, and Shopify sends the
/// signed orders/create webhook. Like Shopify, a webhook not answered 200 is sent again with the same
/// webhook id after a growing wait; the ledger keeps when Ingest first said 200.
/// </summary>
public sealed class Shoppers(Topology topology, double ordersPerSecond)
{
    /// <summary>How long a webhook is retried before it counts as refused (Shopify keeps trying for 48 h).</summary>
    public static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(120);

    private static readonly JsonObject OrderTemplate = (JsonObject)JsonNode.Parse(ShopifySamples.WebOrder())!;
    private readonly ConcurrentBag<Task> _inFlight = [];
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private int _next;

    public ConcurrentDictionary<string, Order> Ledger { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts a shopper every 1/rate seconds until <paramref name="stop"/>; each finishes on its own time.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var started = 0L;
        while (!stop.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * ordersPerSecond);
            for (; started < due; started++)
            {
                _inFlight.Add(ShopAsync());
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Waits for every shopper started to get its answers (or give up after <see cref="RetryFor"/>).</summary>
    public Task FinishAsync() => Task.WhenAll(_inFlight);

    private async Task ShopAsync()
    {
        var n = Interlocked.Increment(ref _next);
        var shop = Shops.All[n % Shops.All.Count];
        var order = new Order(
            shop,
            (7_000_000_000_000L + n).ToString(CultureInfo.InvariantCulture),
            $"cart-{_run}-{n}",
            $"epik-{_run}-{n}");
        Ledger[order.Id] = order;

        order.SessionAccepted = await SendWithRetriesAsync(() => Collect(order), HttpStatusCode.Accepted, order);
        var webhookId = Guid.NewGuid().ToString();
        var body = OrderBody(order);
        order.WrittenAt = await SendWithRetriesAsync(
            () => ShopifySamples.SignedWebhook(topology.Ingest.Url, body, shop.Secret, shop.Domain, webhookId: webhookId),
            HttpStatusCode.OK,
            order);
    }

    /// <summary>The time of the first wanted answer, or null when none came for <see cref="RetryFor"/>.</summary>
    private async Task<TimeSpan?> SendWithRetriesAsync(Func<HttpRequestMessage> request, HttpStatusCode wanted, Order order)
    {
        var until = topology.Clock.Elapsed + RetryFor;
        var wait = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                using var message = request();
                using var answer = await topology.Http.SendAsync(message);
                if (answer.StatusCode == wanted)
                {
                    return topology.Clock.Elapsed;
                }

                order.Refusals.Enqueue((topology.Clock.Elapsed, await RefusalAsync(answer)));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                order.Refusals.Enqueue((topology.Clock.Elapsed, e is TaskCanceledException ? "timeout" : "no connection"));
            }

            if (topology.Clock.Elapsed + wait > until)
            {
                return null;
            }

            await Task.Delay(wait);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(8).Ticks));
        }
    }

    /// <summary>The status, and the reason Ingest gave (its problem answer's title), if it gave one.</summary>
    private static async Task<string> RefusalAsync(HttpResponseMessage answer)
    {
        var status = ((int)answer.StatusCode).ToString(CultureInfo.InvariantCulture);
        try
        {
            return JsonNode.Parse(await answer.Content.ReadAsStringAsync())?["title"]?.GetValue<string>() is { Length: > 0 } reason
                ? $"{status} {reason}"
                : status;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or HttpRequestException or TaskCanceledException)
        {
            return status;
        }
    }

    private HttpRequestMessage Collect(Order order)
    {
        var now = DateTimeOffset.UtcNow;
        var envelope = new JsonObject
        {
            ["shop"] = order.Shop.Domain,
            ["event_id"] = $"pv-{order.Id}",
            ["click_id"] = order.ClickId,
            ["cart_token"] = order.CartToken,
            ["checkout_token"] = null,
            ["consent"] = new JsonObject { ["analytics"] = true, ["marketing"] = true, ["preferences"] = true, ["sale_of_data"] = true },
            ["event"] = new JsonObject
            {
                ["id"] = $"sh-{order.Id}",
                ["name"] = "page_viewed",
                ["timestamp"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                ["clientId"] = $"client-{order.Id}",
                ["context"] = new JsonObject
                {
                    ["document"] = new JsonObject { ["location"] = new JsonObject { ["href"] = $"https://{order.Shop.Domain}/products/dripper?epik={order.ClickId}" } },
                },
                ["data"] = new JsonObject(),
            },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(topology.Ingest.Url, "/collect"))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(envelope.ToJsonString())),
        };
        request.Content.Headers.ContentType = new("text/plain");
        request.Headers.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) TopologyShopper/1.0");
        return request;
    }

    /// <summary>The web order fixture as this shopper's order: its id, cart and times; its landing page without a click id, so that only the session can supply one.</summary>
    private static byte[] OrderBody(Order order)
    {
        var body = (JsonObject)OrderTemplate.DeepClone();
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        body["id"] = long.Parse(order.Id, CultureInfo.InvariantCulture);
        body["admin_graphql_api_id"] = $"gid://shopify/Order/{order.Id}";
        body["cart_token"] = order.CartToken;
        body["checkout_token"] = $"checkout-{order.CartToken}";
        body["token"] = $"token-{order.CartToken}";
        body["name"] = $"#{order.Id}";
        body["created_at"] = now;
        body["processed_at"] = now;
        body["updated_at"] = now;
        body["landing_site"] = "/products/stoneware-pour-over-dripper?utm_source=pinterest";
        body["note_attributes"] = new JsonArray();
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }
}

/// <summary>One shopper's order and what happened to its requests.</summary>
public sealed class Order(Shop shop, string id, string cartToken, string clickId)
{
    public Shop Shop { get; } = shop;

    public string Id { get; } = id;

    public string CartToken { get; } = cartToken;

    public string ClickId { get; } = clickId;

    /// <summary>When /collect first answered 202 for the session event; null: the order had no session.</summary>
    public TimeSpan? SessionAccepted { get; set; }

    /// <summary>When Ingest first answered 200 for the webhook; null: never, within the retries.</summary>
    public TimeSpan? WrittenAt { get; set; }

    /// <summary>The answers before the wanted one, /collect's and the webhook's: status codes with Ingest's reason, "timeout", "no connection".</summary>
    public ConcurrentQueue<(TimeSpan At, string What)> Refusals { get; } = new();
}
