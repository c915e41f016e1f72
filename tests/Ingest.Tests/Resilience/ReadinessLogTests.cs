using Microsoft.Extensions.Logging;

namespace Streaming.Ingest.Tests.Resilience;

/// <summary>
/// Readiness probes come every few seconds, and an attacker may send thousands: what health logs must
/// follow the changes of state, not the probes.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class ReadinessLogTests
{
    [Fact]
    public async Task Health_logs_one_line_per_change_of_state_however_many_probes_ask()
    {
        var (broker, topics) = TestTopics.OnOwnBroker();
        using var owned = broker;
        await using var host = await TestHost.StartAsync(TestSettings.For(broker.BootstrapServers, topics), b => b.AddIngest(), app => app.MapIngest());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var uri = new Uri(host.BaseUrl, "/readyz");
        Assert.Equal(HttpStatusCode.OK, await ProbeUntilAsync(http, uri, HttpStatusCode.OK));
        var before = host.Logs.Lines.Count;

        broker.TakeDown();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ProbeUntilAsync(http, uri, HttpStatusCode.ServiceUnavailable));
        var down = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => StatusAsync(http, uri)));
        broker.Restore();
        Assert.Equal(HttpStatusCode.OK, await ProbeUntilAsync(http, uri, HttpStatusCode.OK));
        var up = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => StatusAsync(http, uri)));

        Assert.All(down, s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.All(up, s => Assert.Equal(HttpStatusCode.OK, s));
        // librdkafka's own connection errors come at its own pace, whoever asks: not counted here.
        var lines = host.Logs.Lines.Skip(before).Where(l => l.Category != "Librdkafka" && l.Level >= LogLevel.Information).ToList();
        var shown = string.Join("\n", lines.Select(l => $"{l.Level} {l.Category}: {l.Message}"));
        var problems = lines.Where(l => l.Level >= LogLevel.Warning).ToList();
        Assert.True(problems.Count == 1, shown);
        Assert.Equal(LogLevel.Error, problems[0].Level);
        Assert.Contains("kafka", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("Unhealthy", problems[0].Message, StringComparison.Ordinal);
        var recovered = Assert.Single(lines, l => l.Level == LogLevel.Information && l.Category == problems[0].Category);
        Assert.Contains("Healthy", recovered.Message, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, Uri uri)
    {
        using var response = await http.GetAsync(uri);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> ProbeUntilAsync(HttpClient http, Uri uri, HttpStatusCode wanted)
    {
        var status = await StatusAsync(http, uri);
        for (var attempt = 0; attempt < 40 && status != wanted; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            status = await StatusAsync(http, uri);
        }

        return status;
    }
}
