using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Streaming.TestSupport;

/// <summary>
/// A stand-in for the Pinterest API on real Kestrel at 127.0.0.1. Every body is checked against the
/// reference's rules (a violation is answered 400, as Pinterest would, and recorded); every answer is
/// what the test says, faults included: a status with headers, a delay, a reset connection. An event
/// counts as accepted only once an answer that says so was written to a client still connected.
/// </summary>
public sealed partial class FakePinterest : IAsyncDisposable
{
    private static readonly HashSet<string> EventNames =
    [
        "add_payment_info", "add_to_cart", "add_to_wishlist", "app_install", "checkout", "custom", "initiate_checkout", "lead",
        "page_visit", "search", "signup", "subscribe", "view_category", "view_content", "watch_video",
    ];

    private static readonly HashSet<string> EventFields =
    [
        "event_name", "action_source", "event_time", "event_id", "event_source_url", "opt_out", "partner_name", "user_data", "custom_data",
        "app_id", "app_name", "app_version", "device_brand", "device_carrier", "device_model", "device_type", "os_version", "wifi", "language",
        "app_info", "device_info",
    ];

    private static readonly HashSet<string> CustomFields =
    [
        "currency", "value", "content_ids", "content_name", "content_category", "content_brand", "contents", "num_items", "order_id",
        "search_string", "opt_out_type", "np", "predicted_ltv", "external_measurement_id", "external_measurement_vendor_id",
        // Not Pinterest's: the market pair Littledata sends, which the dispatcher sends until an ad account refuses it.
        "market_id", "market_handle",
    ];

    private static readonly HashSet<string> ContentFields = ["id", "item_price", "quantity", "item_name", "item_category", "item_brand"];

    private static readonly string[] HashedFields = ["em", "ph", "fn", "ln", "ct", "st", "zp", "country", "external_id", "hashed_maids"];

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentDictionary<string, int> _accepted = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _arrived = new(0);
    private int _calls;
    private int _streamsEnded;

    private FakePinterest(WebApplication app) => _app = app;

    /// <summary>Chooses the answer to the n-th call (0-based). A null body: Pinterest's success body, every event processed.</summary>
    public Func<int, ReceivedRequest, FakeAnswer> Respond { get; set; } = (_, _) => 200;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests answered 200.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    /// <summary>Every call, whatever the answer.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Streamed answers that are over: the client went away (or a minute passed).</summary>
    public int StreamsEnded => Volatile.Read(ref _streamsEnded);

    /// <summary>Bodies that broke the reference's rules, with what was wrong.</summary>
    public IReadOnlyList<string> Violations => [.. _violations];

    /// <summary>How many times each <c>ad account/event id</c> was accepted (answered processed to a connected client).</summary>
    public IReadOnlyDictionary<string, int> Accepted => _accepted;

    public static async Task<FakePinterest> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakePinterest(app);
        app.MapPost("/v5/ad_accounts/{adAccountId}/events", fake.HandleAsync);
        await app.StartAsync();
        fake.BaseUrl = TestHost.ListeningAddress(app);
        return fake;
    }

    /// <summary>Waits until <paramref name="count"/> requests were answered 200, or fails the test after <paramref name="within"/>.</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(int count, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (_requests.Count < count)
        {
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                throw new TimeoutException($"Pinterest received {_requests.Count} request(s) in {within.TotalSeconds} s, not {count}.");
            }
        }

        return Requests;
    }

    /// <summary>Waits until every id in <paramref name="eventIds"/> was accepted for <paramref name="adAccountId"/>.</summary>
    public async Task WaitForAcceptedAsync(string adAccountId, IEnumerable<string> eventIds, TimeSpan within)
    {
        var wanted = eventIds.Select(id => $"{adAccountId}/{id}").ToList();
        var until = DateTime.UtcNow + within;
        while (wanted.Any(id => !_accepted.ContainsKey(id)))
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{wanted.Count(id => !_accepted.ContainsKey(id))} of {wanted.Count} event(s) were not accepted in {within.TotalSeconds} s ({Calls} call(s); rule violations: {string.Join("; ", _violations)}).");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }

    private async Task HandleAsync(HttpContext context, string adAccountId)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var request = new ReceivedRequest(
            adAccountId,
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.Authorization.ToString(),
            context.Request.ContentType ?? "",
            body);
        var call = Interlocked.Increment(ref _calls) - 1;
        if (Violation(body) is { } violation)
        {
            _violations.Enqueue(violation);
            await WriteAsync(context, 400, $$"""{"code":4196,"message":"Invalid request: {{JsonEncodedText.Encode(violation)}}"}""");
            return;
        }

        var answer = Respond(call, request);
        if (answer.Delay is { } delay)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (answer.Reset)
        {
            context.Abort();
            return;
        }

        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (answer.StreamBytes is { } streamed)
        {
            await StreamAsync(context, answer.Status, streamed);
            return;
        }

        var text = answer.Body ?? Processed(request);
        await WriteAsync(context, answer.Status, text);
        if (answer.Status is >= 200 and < 300 && !context.RequestAborted.IsCancellationRequested)
        {
            CountAccepted(adAccountId, request, text);
            _requests.Enqueue(request);
            _arrived.Release();
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        try
        {
            await context.Response.WriteAsync(body, context.RequestAborted);
            await context.Response.CompleteAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }

    // An answer whose end never comes: JSON whitespace in chunks, no Content-Length, then nothing more
    // until the client goes away. A client that reads to the end waits for ever; one that stops at its
    // limit is done at once.
    private async Task StreamAsync(HttpContext context, int status, long bytes)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        try
        {
            for (var sent = 0L; sent < bytes;)
            {
                var count = (int)Math.Min(chunk.Length, bytes - sent);
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, count), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                sent += count;
            }

            await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
        }
        finally
        {
            Interlocked.Increment(ref _streamsEnded);
        }
    }

    private void CountAccepted(string adAccountId, ReceivedRequest request, string answer)
    {
        using var document = JsonDocument.Parse(answer);
        var statuses = document.RootElement.TryGetProperty("events", out var events)
            ? events.EnumerateArray().Select(e => e.GetProperty("status").GetString()).ToList()
            : [];
        var sent = request.Events;
        for (var i = 0; i < sent.Count; i++)
        {
            if (i >= statuses.Count || statuses[i] == "processed")
            {
                _accepted.AddOrUpdate($"{adAccountId}/{sent[i].GetProperty("event_id").GetString()}", 1, (_, n) => n + 1);
            }
        }
    }

    /// <summary>What in the body breaks the reference's rules (pinterest-capi.md §1-§4), or null.</summary>
    public static string? Violation(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Any(p => p.Name != "data"))
            {
                return "the body must be an object with data only";
            }

            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array || data.GetArrayLength() is 0 or > 1000)
            {
                return "data must hold 1 to 1000 events";
            }

            return data.EnumerateArray().Select(EventViolation).FirstOrDefault(v => v is not null);
        }
        catch (JsonException e)
        {
            return $"not JSON: {e.Message}";
        }
    }

    private static string? EventViolation(JsonElement e)
    {
        if (Extra(e, EventFields) is { } extra)
        {
            return $"Additional properties are not allowed ('{extra}' was unexpected)";
        }

        foreach (var required in new[] { "event_name", "action_source", "event_time", "event_id", "user_data" })
        {
            if (!e.TryGetProperty(required, out _))
            {
                return $"'{required}' is a required property";
            }
        }

        if (!EventNames.Contains(e.GetProperty("event_name").GetString() ?? ""))
        {
            return $"unknown event_name {e.GetProperty("event_name")}";
        }

        if (e.GetProperty("action_source").GetString() is not ("web" or "app_android" or "app_ios" or "offline"))
        {
            return "unknown action_source";
        }

        if (e.GetProperty("event_time").ValueKind != JsonValueKind.Number || e.GetProperty("event_id").ValueKind != JsonValueKind.String)
        {
            return "event_time must be an integer and event_id a string";
        }

        var user = e.GetProperty("user_data");
        foreach (var field in HashedFields)
        {
            if (user.TryGetProperty(field, out var hashed)
                && (hashed.ValueKind != JsonValueKind.Array || hashed.EnumerateArray().Any(h => h.ValueKind != JsonValueKind.String || !Sha256Hex().IsMatch(h.GetString()!))))
            {
                return $"user_data.{field} must be an array of SHA-256 hex strings";
            }
        }

        if (!e.TryGetProperty("custom_data", out var custom))
        {
            return null;
        }

        if (Extra(custom, CustomFields) is { } extraCustom)
        {
            return $"Additional properties are not allowed ('{extraCustom}' was unexpected)";
        }

        if (custom.TryGetProperty("value", out var value) && value.ValueKind != JsonValueKind.String)
        {
            return "custom_data.value must be a string";
        }

        if (custom.TryGetProperty("contents", out var contents))
        {
            foreach (var content in contents.EnumerateArray())
            {
                if (Extra(content, ContentFields) is { } extraContent)
                {
                    return $"Additional properties are not allowed ('{extraContent}' was unexpected)";
                }

                if (content.TryGetProperty("item_price", out var price) && price.ValueKind != JsonValueKind.String)
                {
                    return "contents[].item_price must be a string";
                }
            }
        }

        return null;
    }

    private static string? Extra(JsonElement element, HashSet<string> allowed) =>
        element.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => !allowed.Contains(name));

    private static string Processed(ReceivedRequest request)
    {
        var count = request.Events.Count;
        var events = string.Join(",", Enumerable.Repeat("""{"status":"processed","error_message":"","warning_message":""}""", count));
        return $$"""{"num_events_received":{{count}},"num_events_processed":{{count}},"events":[{{events}}]}""";
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}

/// <summary>How the fake answers one call.</summary>
/// <remarks>
/// <see cref="StreamBytes"/>: instead of a body, this many bytes streamed without a Content-Length, and then no
/// end, until the client goes away: an answer that only a client that stops reading at its limit gets over.
/// </remarks>
public sealed record FakeAnswer(
    int Status, string? Body = null, TimeSpan? Delay = null, bool Reset = false, IReadOnlyDictionary<string, string>? Headers = null, long? StreamBytes = null)
{
    public static implicit operator FakeAnswer(int status) => new(status);

    public static implicit operator FakeAnswer((int Status, string? Body) answer) => new(answer.Status, answer.Body);
}

/// <summary>One request as the fake Pinterest received it.</summary>
public sealed record ReceivedRequest(string AdAccountId, string Query, string Authorization, string ContentType, string Body)
{
    public IReadOnlyList<JsonElement> Events =>
        JsonDocument.Parse(Body).RootElement.GetProperty("data").EnumerateArray().Select(e => e.Clone()).ToList();

    public IEnumerable<string> EventIds => Events.Select(e => e.GetProperty("event_id").GetString()!);
}
