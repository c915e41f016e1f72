using System.Net;
using Microsoft.Extensions.Hosting;

namespace Streaming.Deploy.Tests;

/// <summary>The endpoint the chart's ServiceMonitor scrapes: there only when Telemetry:PrometheusMetrics asks for it.</summary>
public sealed class MetricsEndpointTests
{
    [Theory]
    [InlineData(true, HttpStatusCode.OK)]
    [InlineData(false, HttpStatusCode.NotFound)]
    public async Task Metrics_are_served_in_Prometheus_format_only_when_switched_on(bool on, HttpStatusCode expected)
    {
        await using var app = await ProductionGuardTests.StartAsync(Environments.Development, new()
        {
            ["Telemetry:PrometheusMetrics"] = on ? "true" : "false",
        });
        using var http = new HttpClient { BaseAddress = TestHost.ListeningAddress(app) };
        // A request first, so that there is a metric of ASP.NET Core's to scrape.
        await http.GetAsync("/healthz");

        using var answer = await http.GetAsync("/metrics");

        Assert.Equal(expected, answer.StatusCode);
        if (on)
        {
            Assert.Contains("# TYPE ", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
