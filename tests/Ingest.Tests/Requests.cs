using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Streaming.Contracts;

namespace Streaming.Ingest.Tests;

/// <summary>Requests as Shopify and our pixel send them.</summary>
internal static class Requests
{
    public const string Origin = "https://test-shop.myshopify.com";

    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static HttpRequestMessage Webhook(Uri ingest, byte[] body, string topic = "orders/create", string? webhookId = null, string secret = TestSettings.Secret, string shop = TestSettings.Shop)
    {
        var request = ShopifySamples.SignedWebhook(ingest, body, secret, shop, topic, webhookId);
        request.Headers.Add("X-Shopify-Triggered-At", Now());
        return request;
    }

    public static byte[] Order(string id, string? cartToken) =>
        Encoding.UTF8.GetBytes($$"""{"id":{{id}},"source_name":"web","cart_token":{{(cartToken is null ? "null" : $"\"{cartToken}\"")}},"email":"ada@example.com"}""");

    public static byte[] Checkout(string token, string cartToken) =>
        Encoding.UTF8.GetBytes($$"""{"token":"{{token}}","cart_token":"{{cartToken}}","email":"ada@example.com"}""");

    /// <summary>A storefront envelope; <paramref name="change"/> edits it before it is sent.</summary>
    public static JsonObject Envelope(string? cartToken = "Z2NwLXVzLWVhc3QxOjAxSkRFTU8", string name = "page_viewed", Action<JsonObject>? change = null)
    {
        var envelope = new JsonObject
        {
            ["shop"] = TestSettings.Shop,
            ["event_id"] = $"pv-{Guid.NewGuid():N}",
            ["click_id"] = "dj0yJnU9dGVzdA",
            ["cart_token"] = cartToken,
            ["checkout_token"] = null,
            ["consent"] = new JsonObject { ["analytics"] = true, ["marketing"] = true, ["preferences"] = false, ["sale_of_data"] = true },
            ["event"] = new JsonObject
            {
                ["id"] = $"sh-{Guid.NewGuid():N}",
                ["name"] = name,
                ["timestamp"] = DateTime.UtcNow.AddSeconds(-1).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                ["clientId"] = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                ["seq"] = 3,
                ["type"] = "standard",
                ["context"] = new JsonObject { ["document"] = new JsonObject { ["location"] = new JsonObject { ["href"] = "https://test-shop.myshopify.com/?epik=dj0yJnU9dGVzdA" } } },
                ["data"] = new JsonObject(),
            },
        };
        change?.Invoke(envelope);
        return envelope;
    }

    public static HttpRequestMessage Collect(Uri ingest, JsonNode envelope, string contentType = "text/plain", string? origin = Origin) =>
        Collect(ingest, Encoding.UTF8.GetBytes(envelope.ToJsonString()), contentType, origin);

    public static HttpRequestMessage Collect(Uri ingest, byte[] body, string contentType = "text/plain", string? origin = Origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ingest, "/collect")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return request;
    }

    public static async Task<(string Title, string Detail)> ProblemAsync(HttpResponseMessage response)
    {
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (problem.GetProperty("title").GetString()!, problem.GetProperty("detail").GetString()!);
    }
}

/// <summary>Counts a pipeline counter's measurements by outcome and reason, as an operator's dashboard would.</summary>
internal sealed class OutcomeCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Outcome, string? Reason)> _seen = [];

    public OutcomeCounter(string instrument)
    {
        _listener.InstrumentPublished = (i, listener) =>
        {
            if (i.Meter.Name == PipelineTelemetry.Name && i.Name == instrument)
            {
                listener.EnableMeasurementEvents(i);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? outcome = null, reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    outcome = tag.Value as string;
                }
                else if (tag.Key == "reason")
                {
                    reason = tag.Value as string;
                }
            }

            lock (_seen)
            {
                _seen.Add((outcome ?? "", reason));
            }
        });
        _listener.Start();
    }

    public IReadOnlyList<string?> Reasons(string outcome)
    {
        lock (_seen)
        {
            return [.. _seen.Where(s => s.Outcome == outcome).Select(s => s.Reason)];
        }
    }

    public int Count(string outcome)
    {
        lock (_seen)
        {
            return _seen.Count(s => s.Outcome == outcome);
        }
    }

    public void Dispose() => _listener.Dispose();
}
