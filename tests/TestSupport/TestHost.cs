using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Streaming.Kafka;

namespace Streaming.TestSupport;

/// <summary>A service host for a test: real Kestrel on 127.0.0.1 with a free port, configuration from the test.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private TestHost(WebApplication app, LogCapture logs)
    {
        App = app;
        Logs = logs;
    }

    public WebApplication App { get; }

    public LogCapture Logs { get; }

    public Uri BaseUrl => ListeningAddress(App);

    /// <summary>Where Kestrel listens once started on port 0.</summary>
    public static Uri ListeningAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static async Task<TestHost> StartAsync(
        IDictionary<string, string?> settings,
        Action<IHostApplicationBuilder> register,
        Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings);
        var logs = new LogCapture();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        register(builder);
        var app = builder.Build();
        map?.Invoke(app);
        await app.StartAsync();
        return new TestHost(app, logs);
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Configuration for a pipeline under test: the fixture's broker, fresh topics, one shop.</summary>
public static class TestSettings
{
    public const string Shop = "test-shop.myshopify.com";
    public const string Secret = "test-webhook-secret";
    public const string AdAccountId = "549755813888";
    public const string ConversionToken = "test-conversion-token";

    public static Dictionary<string, string?> For(string bootstrapServers, TestTopics topics, Uri? pinterest = null, string? conversionToken = ConversionToken) =>
        new(Base(bootstrapServers, pinterest, conversionToken).Concat(topics.Settings()));

    private static Dictionary<string, string?> Base(string bootstrapServers, Uri? pinterest, string? conversionToken) => new()
    {
        ["Kafka:BootstrapServers"] = bootstrapServers,
        ["Kafka:DeliveryTimeout"] = "00:00:10",
        // Said by name, so that a test host run as its own process in the Production environment starts too.
        ["SchemaRegistry:UseInMemoryRegistry"] = "true",
        ["Enricher:GroupId"] = $"enricher-{Guid.NewGuid():N}",
        ["Enricher:MaxBatchWait"] = "00:00:00.020",
        ["Enricher:MaxRetryBackoff"] = "00:00:02",
        // Short waits for a session that will not come: tests of the grace period set their own.
        ["Enricher:GracePeriod"] = "00:00:01",
        ["Enricher:GraceWallClockCap"] = "00:00:01",
        ["Dispatcher:GroupId"] = $"dispatcher-{Guid.NewGuid():N}",
        ["Dispatcher:Linger"] = "00:00:00.020",
        // The shared fixtures are orders and storefront events of past years; tests of the window set their own.
        ["Dispatcher:MaxEventAge"] = "36500.00:00:00",
        ["Storefront:MaxEventAge"] = "36500.00:00:00",
        ["Dispatcher:RetryBaseDelay"] = "00:00:00.100",
        ["Dispatcher:MaxRetryBackoff"] = "00:00:01",
        ["Dispatcher:State:Directory"] = Path.Combine(Path.GetTempPath(), $"dispatcher-state-{Guid.NewGuid():N}"),
        ["Pinterest:RequestTimeout"] = "00:00:02",
        ["Pinterest:CircuitBreakerMinimumThroughput"] = "1000",
        ["Pinterest:BaseUrl"] = (pinterest ?? new Uri("http://127.0.0.1:9")).ToString(),
        ["Pinterest:DryRunFile"] = Path.Combine(Path.GetTempPath(), $"dry-run-{Guid.NewGuid():N}.jsonl"),
        ["Shops:0:Domain"] = Shop,
        ["Shops:0:WebhookSecrets:0"] = Secret,
        ["Shops:0:Pinterest:AdAccountId"] = AdAccountId,
        ["Shops:0:Pinterest:ConversionToken"] = conversionToken,
        ["Shops:0:Pinterest:TestMode"] = "false",
    };
}
