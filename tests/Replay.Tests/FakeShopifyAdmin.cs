using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Streaming.Replay.Tests;

/// <summary>
/// The Shopify Admin GraphQL API's orders query on loopback Kestrel: pages of orders with cursors, the
/// cost extension of every answer, and a throttled answer (HTTP 200, THROTTLED) where the test asks.
/// </summary>
public sealed class FakeShopifyAdmin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Token, JsonObject Body)> _requests = new();

    private FakeShopifyAdmin(WebApplication app) => _app = app;

    public List<List<JsonObject>> Pages { get; } = [];

    /// <summary>Calls (1-based) answered as throttled instead.</summary>
    public HashSet<int> ThrottledCalls { get; } = [];

    public IReadOnlyList<(string Token, JsonObject Body)> Requests => [.. _requests];

    public string Endpoint => $"{TestHost.ListeningAddress(_app).ToString().TrimEnd('/')}/admin/api/{{version}}/graphql.json?shop={{shop}}";

    public static async Task<FakeShopifyAdmin> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeShopifyAdmin(app);
        app.MapPost("/admin/api/{version}/graphql.json", (Delegate)fake.AnswerAsync);
        await app.StartAsync();
        return fake;
    }

    private async Task<IResult> AnswerAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        _requests.Enqueue((context.Request.Headers["X-Shopify-Access-Token"].ToString(), body));
        var call = _requests.Count;
        if (ThrottledCalls.Contains(call))
        {
            return Results.Json(new JsonObject
            {
                ["errors"] = new JsonArray(new JsonObject { ["message"] = "Throttled", ["extensions"] = new JsonObject { ["code"] = "THROTTLED" } }),
                ["extensions"] = Cost(requested: 752, available: 702, actual: null),
            });
        }

        var after = body["variables"]?["after"]?.GetValue<string>();
        var index = after is null ? 0 : int.Parse(after[5..], System.Globalization.CultureInfo.InvariantCulture);
        var nodes = new JsonArray([.. Pages[index].Select(o => (JsonNode)o.DeepClone())]);
        return Results.Json(new JsonObject
        {
            ["data"] = new JsonObject
            {
                ["orders"] = new JsonObject
                {
                    ["pageInfo"] = new JsonObject { ["hasNextPage"] = index + 1 < Pages.Count, ["endCursor"] = $"page-{index + 1}" },
                    ["nodes"] = nodes,
                },
            },
            ["extensions"] = Cost(requested: 752, available: 1000, actual: 400),
        });
    }

    private static JsonObject Cost(int requested, int available, int? actual) => new()
    {
        ["cost"] = new JsonObject
        {
            ["requestedQueryCost"] = requested,
            ["actualQueryCost"] = actual,
            ["throttleStatus"] = new JsonObject { ["maximumAvailable"] = 1000.0, ["currentlyAvailable"] = available, ["restoreRate"] = 50.0 },
        },
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
