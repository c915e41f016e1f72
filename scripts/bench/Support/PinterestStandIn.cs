using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Streaming.Bench;

/// <summary>
/// Pinterest's Conversions API on loopback Kestrel, answering at once: every event of a request processed,
/// or 500 for the one ad account told to fail. It counts requests and accepted events per ad account and
/// notes when the first and the last answer went out, which the throughput figures are measured by.
/// </summary>
public sealed class PinterestStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _first = new();
    private long? _firstAnswer;
    private long _answeredAtFirst;
    private long _lastAnswer;

    private PinterestStandIn(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Where the dispatcher finds it (<c>Pinterest:BaseUrl</c>).</summary>
    public string Url { get; }

    /// <summary>Events answered as processed, by ad account.</summary>
    public ConcurrentDictionary<string, long> Accepted { get; } = new();

    /// <summary>Requests received, by ad account, the failing one's included.</summary>
    public ConcurrentDictionary<string, long> Requests { get; } = new();

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

    public static async Task<PinterestStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        PinterestStandIn? standIn = null;
        app.MapPost("/v5/ad_accounts/{account}/events", (HttpContext context, string account) => standIn!.AnswerAsync(context, account));
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn = new PinterestStandIn(app, url);
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
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        Requests.AddOrUpdate(account, 1, (_, n) => n + 1);
        if (account == FailingAccount)
        {
            return Results.Text("""{"code":0,"message":"Internal error"}""", "application/json", statusCode: 500);
        }

        var count = Count(body, "\"event_id\"");
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
