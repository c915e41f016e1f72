using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Streaming.Bench;

/// <summary>
/// Pinterest's Conversions API on loopback Kestrel, answering at once: every event of a request processed,
/// or 500 for the one ad account told to fail. It counts requests and accepted events per ad account and
/// notes when the first and the last answer went out, which the throughput figures are measured by. Asked to,
/// it also keeps each event id's first arrival (for latencies and click ids), at the cost of parsing every body.
/// </summary>
public sealed class PinterestStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _first = new();
    private long? _firstAnswer;
    private long _answeredAtFirst;
    private long _lastAnswer;

    private PinterestStandIn(WebApplication app, bool recordArrivals)
    {
        _app = app;
        Arrivals = recordArrivals ? new ConcurrentDictionary<string, Arrival>(StringComparer.Ordinal) : null;
    }

    /// <summary>Where the dispatcher finds it (<c>Pinterest:BaseUrl</c>).</summary>
    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>Events answered as processed, by ad account.</summary>
    public ConcurrentDictionary<string, long> Accepted { get; } = new();

    /// <summary>Requests received, by ad account, the failing one's included.</summary>
    public ConcurrentDictionary<string, long> Requests { get; } = new();

    /// <summary>Each event id's first arrival, when started with <c>recordArrivals</c>; otherwise null.</summary>
    public ConcurrentDictionary<string, Arrival>? Arrivals { get; }

    /// <summary>The ad account answered 500 (Pinterest's internal error), or none.</summary>
    public string? FailingAccount { get; set; }

    /// <summary>When the first answer since <see cref="NewRun"/> went out (a <see cref="Stopwatch"/> timestamp), and how many events it accepted.</summary>
    public (long? At, long Events) FirstAnswer
    {
        get
        {
            lock (_first)
            {
                return (_firstAnswer, _answeredAtFirst);
            }
        }
    }

    /// <summary>When the last answer went out (a <see cref="Stopwatch"/> timestamp).</summary>
    public long LastAnswer => Interlocked.Read(ref _lastAnswer);

    /// <param name="recordArrivals">Keep <see cref="Arrivals"/>.</param>
    /// <param name="routes">A benchmark's own routes on the same server, mapped before it starts.</param>
    public static async Task<PinterestStandIn> StartAsync(bool recordArrivals = false, Action<WebApplication, PinterestStandIn>? routes = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new PinterestStandIn(app, recordArrivals);
        app.MapPost("/v5/ad_accounts/{account}/events", (HttpContext context, string account) => standIn.AnswerAsync(context, account));
        routes?.Invoke(app, standIn);
        await app.StartAsync();
        return standIn;
    }

    /// <summary>Forgets the accepted events and the first answer, for a run that is measured on its own.</summary>
    public void NewRun()
    {
        Accepted.Clear();
        lock (_first)
        {
            (_firstAnswer, _answeredAtFirst) = (null, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> AnswerAsync(HttpContext context, string account)
    {
        var now = Stopwatch.GetTimestamp();
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        Requests.AddOrUpdate(account, 1, (_, n) => n + 1);
        if (account == FailingAccount)
        {
            return Results.Text("""{"code":0,"message":"Internal error"}""", "application/json", statusCode: 500);
        }

        var count = Arrivals is null ? Count(body, "\"event_id\"") : Record(Arrivals, body, now);
        lock (_first)
        {
            if (_firstAnswer is null)
            {
                (_firstAnswer, _answeredAtFirst) = (Stopwatch.GetTimestamp(), count);
            }
        }

        Interlocked.Exchange(ref _lastAnswer, Stopwatch.GetTimestamp());
        Accepted.AddOrUpdate(account, count, (_, n) => n + count);
        var answer = new StringBuilder($$"""{"num_events_received":{{count}},"num_events_processed":{{count}},"events":[""");
        for (var i = 0; i < count; i++)
        {
            answer.Append(i == 0 ? "" : ",").Append("""{"status":"processed","error_message":"","warning_message":""}""");
        }

        return Results.Text(answer.Append("]}").ToString(), "application/json");
    }

    private static int Record(ConcurrentDictionary<string, Arrival> arrivals, string body, long now)
    {
        using var request = JsonDocument.Parse(body);
        var count = 0;
        foreach (var e in request.RootElement.GetProperty("data").EnumerateArray())
        {
            count++;
            var click = e.TryGetProperty("user_data", out var user) && user.TryGetProperty("click_id", out var c) ? c.GetString() : null;
            var name = e.TryGetProperty("event_name", out var n) ? n.GetString() : null;
            arrivals.GetOrAdd(e.GetProperty("event_id").GetString() ?? "", _ => new Arrival(now, click, name)).Count();
        }

        return count;
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

/// <summary>
/// An event id's first arrival at the stand-in (a <see cref="Stopwatch"/> timestamp: CLOCK_MONOTONIC on Linux,
/// comparable across processes), its click id and event name, and how often it came.
/// </summary>
public sealed class Arrival(long at, string? clickId, string? name)
{
    private int _times;

    public long At { get; } = at;

    public string? ClickId { get; } = clickId;

    public string? Name { get; } = name;

    public int Times => Volatile.Read(ref _times);

    internal void Count() => Interlocked.Increment(ref _times);
}
