using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Console;
using Streaming.Dispatcher;
using Streaming.Enricher;
using Streaming.Kafka;
using Streaming.Kafka.State;
using Streaming.Records;
using Streaming.Replay.Backfill;
using Streaming.ServiceDefaults;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Replay;

/// <summary>
/// The tool's services, configured as the pipeline is (same sections, same files): appsettings.json in
/// the working directory, the files given with <c>--config</c>, environment variables, then the
/// command line's own settings. Logs go to standard error; standard output keeps the summary.
/// </summary>
public static class ReplayHost
{
    public static HostApplicationBuilder CreateBuilder(IEnumerable<string> configFiles, IDictionary<string, string?> overrides)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "Streaming.Replay",
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        builder.Configuration
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft"] = "Warning",
                ["Logging:LogLevel:System"] = "Warning",
                ["Logging:LogLevel:Streaming.Platform"] = "Warning",
                ["Logging:LogLevel:Librdkafka"] = "Warning",
            })
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true);
        foreach (var file in configFiles)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false);
        }

        builder.Configuration.AddEnvironmentVariables().AddInMemoryCollection(overrides);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        builder.AddPipelinePlatform();
        builder.AddShops<ReplayShop>();
        builder.AddShops<EnricherShop>();
        builder.AddTopic(PinterestEvent.KafkaTopic);
        builder.AddTopic(DeliveredEvent.KafkaTopic);
        builder.AddTopic(ShopifyWebhook.KafkaTopic);
        builder.AddTopic(StorefrontEvent.KafkaTopic);
        builder.AddTopic(EnricherState.KafkaTopic);
        builder.Services.AddOptions<DispatcherOptions>().Bind(builder.Configuration.GetSection(DispatcherOptions.Section)).ValidateDataAnnotations();
        builder.Services.AddOptions<EnricherOptions>().Bind(builder.Configuration.GetSection(EnricherOptions.Section)).ValidateDataAnnotations();
        builder.Services.AddSingleton<ChangelogRestorer>();
        builder.Services.AddSingleton<StartOffsets>();
        builder.Services.AddHttpClient(ShopifyAdminClient.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        return builder;
    }
}
