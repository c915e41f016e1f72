using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Streaming.Replay.Tests;

/// <summary>
/// The Admin GraphQL API's webhook subscriptions on loopback Kestrel: the list query (paged), and the
/// create, update and delete mutations over a store of subscriptions the test can fill. It answers as
/// Shopify does to a wrong token (401), to an app without the scope (ACCESS_DENIED), and throttled
/// (THROTTLED in a 200, with the cost extension) where the test asks.
/// </summary>
public sealed class FakeWebhookAdmin : IAsyncDisposable
{
    public const string Token = "shpat_test-admin-token";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _operations = new();
    private readonly ConcurrentQueue<string> _versions = new();
    private int _calls;
    private int _next = 1000;

    private FakeWebhookAdmin(WebApplication app) => _app = app;

    /// <summary>The app's subscriptions, by id.</summary>
    public ConcurrentDictionary<string, JsonObject> Subscriptions { get; } = new();

    /// <summary>Calls (1-based) answered as throttled instead.</summary>
    public HashSet<int> ThrottledCalls { get; } = [];

    /// <summary>The app lacks read_orders: the mutations are denied.</summary>
    public bool DenyScope { get; set; }

    /// <summary>Creating a subscription is refused in the mutation's userErrors, as Shopify says a topic needs a permission.</summary>
    public bool DenyTopicInUserErrors { get; set; }

    /// <summary>The api version handle subscriptions report (the app's).</summary>
    public string AppApiVersion { get; set; } = "2026-07";

    /// <summary>Every operation answered, in order: list, create TOPIC, update ID, delete ID, throttled.</summary>
    public IReadOnlyList<string> Operations => [.. _operations];

    /// <summary>The API version of every call's path.</summary>
    public IReadOnlyList<string> Versions => [.. _versions];

    public IEnumerable<string> Changes => Operations.Where(o => !o.StartsWith("list", StringComparison.Ordinal) && o != "throttled");

    public string Endpoint => $"{TestHost.ListeningAddress(_app).ToString().TrimEnd('/')}/admin/api/{{version}}/graphql.json?shop={{shop}}";

    public static async Task<FakeWebhookAdmin> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeWebhookAdmin(app);
        app.MapPost("/admin/api/{version}/graphql.json", (Delegate)fake.AnswerAsync);
        await app.StartAsync();
        return fake;
    }

    public string Add(string topicEnum, string uri, string format = "JSON")
    {
        var id = $"gid://shopify/WebhookSubscription/{Interlocked.Increment(ref _next)}";
        Subscriptions[id] = new JsonObject { ["id"] = id, ["topic"] = topicEnum, ["uri"] = uri, ["format"] = format };
        return id;
    }

    private async Task<IResult> AnswerAsync(HttpContext context, string version)
    {
        if (context.Request.Headers["X-Shopify-Access-Token"] != Token)
        {
            return Results.Json(new JsonObject { ["errors"] = "[API] Invalid API key or access token (unrecognized login or wrong password)" }, statusCode: 401);
        }

        _versions.Enqueue(version);
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var query = body["query"]!.GetValue<string>();
        var variables = body["variables"] as JsonObject ?? [];
        if (ThrottledCalls.Contains(Interlocked.Increment(ref _calls)))
        {
            _operations.Enqueue("throttled");
            return Results.Json(new JsonObject
            {
                ["errors"] = new JsonArray(new JsonObject { ["message"] = "Throttled", ["extensions"] = new JsonObject { ["code"] = "THROTTLED" } }),
                ["extensions"] = Cost(available: 5),
            });
        }

        if (DenyScope && query.Contains("mutation", StringComparison.Ordinal))
        {
            _operations.Enqueue("denied");
            return Results.Json(new JsonObject
            {
                ["errors"] = new JsonArray(new JsonObject
                {
                    ["message"] = "Access denied for webhookSubscriptionCreate field. Required access: `read_orders` access scope.",
                    ["extensions"] = new JsonObject { ["code"] = "ACCESS_DENIED" },
                }),
                ["extensions"] = Cost(available: 990),
            });
        }

        var data = query.Contains("webhookSubscriptionCreate(", StringComparison.Ordinal) ? Create(variables)
            : query.Contains("webhookSubscriptionUpdate(", StringComparison.Ordinal) ? Update(variables)
            : query.Contains("webhookSubscriptionDelete(", StringComparison.Ordinal) ? Delete(variables)
            : List(variables);
        return Results.Json(new JsonObject { ["data"] = data, ["extensions"] = Cost(available: 990) });
    }

    // Two a page, so that every run pages through the cursor.
    private JsonObject List(JsonObject variables)
    {
        var after = variables["after"]?.GetValue<string>();
        var start = after is null ? 0 : int.Parse(after, System.Globalization.CultureInfo.InvariantCulture);
        var all = Subscriptions.Values.OrderBy(s => s["id"]!.GetValue<string>(), StringComparer.Ordinal).ToList();
        _operations.Enqueue($"list {start}");
        return new JsonObject
        {
            ["webhookSubscriptions"] = new JsonObject
            {
                ["pageInfo"] = new JsonObject { ["hasNextPage"] = start + 2 < all.Count, ["endCursor"] = (start + 2).ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["nodes"] = new JsonArray([.. all.Skip(start).Take(2).Select(s => (JsonNode)Shown(s))]),
            },
        };
    }

    private JsonObject Create(JsonObject variables)
    {
        var topic = variables["topic"]!.GetValue<string>();
        var input = variables["webhookSubscription"]!;
        _operations.Enqueue($"create {topic}");
        if (DenyTopicInUserErrors)
        {
            return UserError("webhookSubscriptionCreate", $"You do not have permission to create or update webhooks with {topic} topic.");
        }

        var id = Add(topic, input["uri"]!.GetValue<string>(), input["format"]?.GetValue<string>() ?? "JSON");
        return Payload("webhookSubscriptionCreate", Shown(Subscriptions[id]));
    }

    private JsonObject Update(JsonObject variables)
    {
        var id = variables["id"]!.GetValue<string>();
        _operations.Enqueue($"update {id}");
        if (!Subscriptions.TryGetValue(id, out var subscription))
        {
            return UserError("webhookSubscriptionUpdate", "Webhook subscription does not exist");
        }

        subscription["uri"] = variables["webhookSubscription"]!["uri"]!.GetValue<string>();
        subscription["format"] = variables["webhookSubscription"]!["format"]?.GetValue<string>() ?? "JSON";
        return Payload("webhookSubscriptionUpdate", Shown(subscription));
    }

    private JsonObject Delete(JsonObject variables)
    {
        var id = variables["id"]!.GetValue<string>();
        _operations.Enqueue($"delete {id}");
        return Subscriptions.TryRemove(id, out _)
            ? new JsonObject { ["webhookSubscriptionDelete"] = new JsonObject { ["deletedWebhookSubscriptionId"] = id, ["userErrors"] = new JsonArray() } }
            : UserError("webhookSubscriptionDelete", "Webhook subscription does not exist");
    }

    private JsonObject Shown(JsonObject subscription)
    {
        var shown = (JsonObject)subscription.DeepClone();
        shown["apiVersion"] = new JsonObject { ["handle"] = AppApiVersion };
        return shown;
    }

    private static JsonObject Payload(string mutation, JsonObject subscription) =>
        new() { [mutation] = new JsonObject { ["webhookSubscription"] = subscription, ["userErrors"] = new JsonArray() } };

    private static JsonObject UserError(string mutation, string message) =>
        new() { [mutation] = new JsonObject { ["userErrors"] = new JsonArray(new JsonObject { ["field"] = new JsonArray("id"), ["message"] = message }) } };

    private static JsonObject Cost(int available) => new()
    {
        ["cost"] = new JsonObject
        {
            ["requestedQueryCost"] = 10,
            ["throttleStatus"] = new JsonObject { ["maximumAvailable"] = 2000.0, ["currentlyAvailable"] = available, ["restoreRate"] = 100.0 },
        },
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
