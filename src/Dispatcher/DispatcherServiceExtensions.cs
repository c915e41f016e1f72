using Microsoft.Extensions.Options;
using Streaming.Dispatcher.Pinterest;
using Streaming.Platform.Hosting;
using Streaming.Platform.Kafka;
using Streaming.Records;

namespace Streaming.Dispatcher;

public static class DispatcherServiceExtensions
{
    /// <summary>Registers the consumer that sends Pinterest events to the Conversions API.</summary>
    public static IHostApplicationBuilder AddDispatcher(this IHostApplicationBuilder builder)
    {
        builder.AddPipelinePlatform();
        var services = builder.Services;
        services.AddOptions<DispatcherOptions>()
            .Bind(builder.Configuration.GetSection(DispatcherOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<PinterestOptions>()
            .Bind(builder.Configuration.GetSection(PinterestOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHttpClient(PinterestClient.HttpClientName, (sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<PinterestOptions>>().Value.RequestTimeout);
        services.AddSingleton<PinterestClient>();
        services.AddSingleton<DryRunLog>();
        services.AddConsumerLoop<PinterestEvent, PinterestEventBatchHandler>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DispatcherOptions>>().Value;
            var kafka = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            return new ConsumerLoopSettings(
                "dispatcher", kafka.Topics.PinterestEvents.Name, options.GroupId, options.MaxBatchSize, options.MaxBatchWait, options.MaxRetryBackoff);
        });
        return builder;
    }
}
