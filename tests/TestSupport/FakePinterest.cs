using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Streaming.TestSupport;

/// <summary>
/// A stand-in for the Pinterest API on real Kestrel at 127.0.0.1: records every request and answers
/// what the test says (by default 200 with every event processed).
/// </summary>
public sealed class FakePinterest : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private int _calls;

    private FakePinterest(WebApplication app) => _app = app;

    /// <summary>Chooses the answer to the n-th call (0-based): status and body. Null body: Pinterest's success body.</summary>
    public Func<int, ReceivedRequest, (int Status, string? Body)> Respond { get; set; } = (_, _) => (200, null);

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests answered 200.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    /// <summary>Every call, whatever the answer.</summary>
    public int Calls => Volatile.Read(ref _calls);

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

    /// <summary>Waits until <paramref name="count"/> requests arrived, or fails the test after <paramref name="within"/>.</summary>
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }

    private async Task<IResult> HandleAsync(HttpContext context, string adAccountId)
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
        var (status, answer) = Respond(call, request);
        if (status == 200)
        {
            _requests.Enqueue(request);
            _arrived.Release();
        }

        return Results.Text(answer ?? Processed(request), "application/json", statusCode: status);
    }

    private static string Processed(ReceivedRequest request)
    {
        var count = request.Events.Count;
        var events = string.Join(",", Enumerable.Repeat("""{"status":"processed","error_message":"","warning_message":""}""", count));
        return $$"""{"num_events_received":{{count}},"num_events_processed":{{count}},"events":[{{events}}]}""";
    }
}

/// <summary>One request as the fake Pinterest received it.</summary>
public sealed record ReceivedRequest(string AdAccountId, string Query, string Authorization, string ContentType, string Body)
{
    public IReadOnlyList<JsonElement> Events =>
        JsonDocument.Parse(Body).RootElement.GetProperty("data").EnumerateArray().Select(e => e.Clone()).ToList();
}
