using System.Net;
using Streaming.ServiceDefaults;

namespace Streaming.Operator.Tests;

/// <summary>
/// The operator view starts while the schema registry is unreachable (Confluent's client against a registry
/// on loopback whose connections are reset): it waits, is not ready, stops when asked, and once the
/// registry is back it rebuilds the same figures as a view that never waited.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class RegistryOutageTests(OperatorFixture fixture)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_view_waits_for_the_registry_stops_when_asked_and_then_rebuilds_every_figure()
    {
        await using var registry = await SchemaRegistryStandIn.StartAsync();
        registry.Reachable = false;
        await using var waits = await StartAsync(registry);
        var stopped = await StartAsync(registry);
        var outageStarted = DateTime.UtcNow;

        await Task.WhenAll(WaitForLogAsync(waits, "cannot be read yet"), WaitForLogAsync(stopped, "cannot be read yet"));
        await stopped.App.StopAsync();
        Assert.Contains(stopped.Logs.Lines, l => l.Message.Contains("Operator view stopped reading", StringComparison.Ordinal));
        await stopped.DisposeAsync();

        await Task.Delay(Outage - (DateTime.UtcNow - outageStarted) is { Ticks: > 0 } left ? left : TimeSpan.Zero);
        using (var http = new HttpClient { BaseAddress = waits.BaseUrl })
        {
            // Records it read but could not decode yet are not in its figures: it must not say it caught up.
            using var ready = await http.GetAsync("/readyz");
            Assert.NotEqual(HttpStatusCode.OK, ready.StatusCode);
        }

        registry.Reachable = true;
        await OperatorFixture.WaitUntilReadyAsync(waits);

        Assert.NotEmpty(registry.Refused);
        foreach (var shop in OperatorFixture.Shops)
        {
            Assert.Equal(await OperatorFixture.FiguresAsync(fixture.Host, shop, "7d"), await OperatorFixture.FiguresAsync(waits, shop, "7d"));
        }
    }

    private Task<TestHost> StartAsync(SchemaRegistryStandIn registry)
    {
        var settings = fixture.Settings();
        settings.Remove("SchemaRegistry:UseInMemoryRegistry");
        settings["SchemaRegistry:Url"] = registry.BaseUrl.ToString();
        return TestHost.StartAsync(settings, b => b.AddOperator(), app =>
        {
            app.MapOperator();
            app.MapHealthEndpoints();
        });
    }

    private static async Task WaitForLogAsync(TestHost host, string text)
    {
        var until = DateTime.UtcNow + Patience;
        while (!host.Logs.Lines.Any(l => l.Message.Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < until, $"No log line with '{text}' in {Patience.TotalSeconds} s:\n{string.Join('\n', host.Logs.Lines.Select(l => l.Message))}");
            await Task.Delay(100);
        }
    }
}
