using Microsoft.Extensions.Options;
using Streaming.Dispatcher.Pinterest;
using Streaming.Platform.Hosting;
using Streaming.Records;

namespace Streaming.Dispatcher;

public static class DispatcherServiceExtensions
{
    /// <summary>Registers the consumer that sends Pinterest events to the Conversions API.</summary>
    public static IHostApplicationBuilder AddDispatcher(this IHostApplicationBuilder builder)
    {
        builder.AddPipelinePlatform();
        var services = builder.Services;
        services.AddOptions<PinterestOptions>()
            .Bind(builder.Configuration.GetSection(PinterestOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHttpClient(PinterestClient.HttpClientName, (sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<PinterestOptions>>().Value.RequestTimeout);
        services.AddSingleton<PinterestClient>();
        services.AddSingleton<DryRunLog>();
        return builder.AddConsumerLoop<PinterestEvent, PinterestEventBatchHandler, DispatcherOptions>(
            "dispatcher", DispatcherOptions.Section, PinterestEvent.KafkaTopic);
    }
}
