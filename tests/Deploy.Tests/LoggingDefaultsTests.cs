using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streaming.Dispatcher;
using Streaming.Ingest;

namespace Streaming.Deploy.Tests;

/// <summary>
/// What each deployable logs by default: JSON in the image and the chart, plain text in the quick start,
/// and none of HttpClient's per-request lines, in a host of one deployable as its Program builds it.
/// </summary>
public sealed class LoggingDefaultsTests
{
    private const string FormatterName = "Logging:Console:FormatterName";

    [Fact]
    public void The_image_and_the_chart_log_JSON_and_the_quick_start_plain_text()
    {
        var configMaps = ChartObjectTests.Ci(ChartObjectTests.KindValues).OfKind("ConfigMap").Where(c => c["data"]?[EnvironmentName(FormatterName)] is not null).ToList();

        Assert.Equal("json", Dockerfile.Parse().Environment[EnvironmentName(FormatterName)]);
        Assert.Equal("json", Chart.Values["config"]!["Logging"]!["Console"]!["FormatterName"]!.GetValue<string>());
        Assert.Equal(Deployables.All.Count, configMaps.Count);
        Assert.All(configMaps, c => Assert.Equal("json", c["data"]![EnvironmentName(FormatterName)]!.GetValue<string>()));
        // dotnet run: no setting, so .NET's plain text.
        Assert.DoesNotContain("FormatterName", File.ReadAllText(Repository.File("src", "Pipeline", "appsettings.Development.json")), StringComparison.Ordinal);
        Assert.DoesNotContain("FormatterName", File.ReadAllText(Repository.File("src", "Pipeline", "appsettings.json")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ingest", null, false)]
    [InlineData("dispatcher", null, false)]
    // The capture sees the lines when the level lets them through: the two above can fail.
    [InlineData("dispatcher", "Information", true)]
    public async Task A_standalone_host_logs_none_of_HttpClients_lines_per_request(string deployable, string? level, bool logged)
    {
        var capture = new LogCapture();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        if (level is not null)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:System.Net.Http.HttpClient"] = level });
        }

        builder.Logging.ClearProviders().AddProvider(capture);
        if (deployable == "ingest")
        {
            builder.AddIngest();
            // Ingest calls nothing over HTTP itself; a client of the factory shows what one would log.
            builder.Services.AddHttpClient();
        }
        else
        {
            builder.AddDispatcher();
        }

        await using var app = builder.Build();
        using var client = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("pinterest");
        // Nothing listens there: the handlers log the request before the connection is refused.
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{ClosedPort()}/v5/ad_accounts")));

        var lines = capture.Lines.Where(l => l.Category.StartsWith("System.Net.Http.HttpClient.", StringComparison.Ordinal)).ToList();
        Assert.Equal(logged, lines.Any(l => l.Level == LogLevel.Information));
    }

    private static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
