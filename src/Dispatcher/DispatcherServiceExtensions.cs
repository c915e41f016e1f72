using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Streaming.Contracts;
using Streaming.Dispatcher.Dedupe;
using Streaming.Dispatcher.Delivery;
using Streaming.Dispatcher.Health;
using Streaming.Dispatcher.Pinterest;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.State;
using Streaming.Kafka.Topics;
using Streaming.Records;
using Streaming.ServiceDefaults;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Dispatcher;

public static class DispatcherServiceExtensions
{
    /// <summary>Registers the dispatcher: the poll loop, a lane per shop, the delivered-id store, the Pinterest client.</summary>
    public static IHostApplicationBuilder AddDispatcher(this IHostApplicationBuilder builder)
    {
        builder.AddPipelinePlatform()
            .AddShops<DispatcherShop>();
        builder.AddTopic(PinterestEvent.KafkaTopic);
        builder.AddTopic(PinterestDelivery.KafkaTopic);
        builder.AddTopic(DeliveredEvent.KafkaTopic);
        var services = builder.Services;
        builder.AddValidatedOptions<DispatcherOptions>(DispatcherOptions.Section);
        builder.AddValidatedOptions<PinterestOptions>(PinterestOptions.Section);

        AddPinterestHttp(services);
        services.AddSingleton<PinterestClient>();
        services.AddSingleton<CircuitStates>();
        services.AddSingleton<DryRunLog>();
        services.AddSingleton<ShopHealth>();
        services.AddHealthChecks().AddCheck<ShopHealth>("pinterest-shops", tags: [PlatformServiceExtensions.ReadyTag]);
        services.AddSingleton<PartitionProgress>();
        services.AddSingleton<GroupMembership>();
        services.AddSingleton<DeliveryLog>();
        services.AddSingleton<OutcomeRecorder>();
        services.AddSingleton<EventScreen>();
        services.AddSingleton<PinterestSender>();
        services.AddSingleton<ShopLanes>();
        services.TryAddSingleton<ChangelogRestorer>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DispatcherOptions>>().Value;
            var changelog = sp.GetRequiredService<IOptions<TopicsOptions>>().Value[DeliveredEvent.KafkaTopic].Name;
            var stores = new PartitionStores(
                "dispatcher-delivered",
                changelog,
                Path.Combine(options.State.Directory, options.GroupId),
                options.State,
                sp.GetRequiredService<RecordPublisher>(),
                sp.GetRequiredService<ChangelogRestorer>(),
                sp.GetRequiredService<ILogger<PartitionStores>>(),
                new DeliveredChangelog(sp.GetRequiredService<AvroSerdes>()));
            return new DeliveredIds(stores, sp.GetRequiredService<AvroSerdes>(), options.DeliveredRetention, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<DeliveredIds>>());
        });
        services.AddHostedService<DispatchLoop>();
        services.AddHostedService<DispatcherGauges>();
        return builder;
    }

    /// <summary>
    /// Each attempt is bounded by <see cref="PinterestOptions.RequestTimeout"/>, and an ad account that keeps
    /// failing gets its own open circuit. No retry here: the shop's lane is the one place that retries.
    /// </summary>
    private static void AddPinterestHttp(IServiceCollection services)
    {
        services.AddHttpClient(PinterestClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RedactLoggedHeaders(_ => true)
            .AddResilienceHandler("pinterest", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<PinterestOptions>>().Value;
                var circuits = context.ServiceProvider.GetRequiredService<CircuitStates>();
                pipeline
                    .AddTimeout(options.RequestTimeout)
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = 0.5,
                        MinimumThroughput = options.CircuitBreakerMinimumThroughput,
                        SamplingDuration = TimeSpan.FromSeconds(30),
                        BreakDuration = options.CircuitBreakerBreakDuration,
                        StateProvider = circuits.Track(context.InstanceName),
                    });
            })
            .SelectPipelineBy(_ => request => AdAccount(request.RequestUri));
    }

    // /v5/ad_accounts/{id}/events: one circuit per ad account.
    private static string AdAccount(Uri? uri) =>
        uri?.Segments is { Length: >= 4 } segments ? segments[3].TrimEnd('/') : "";
}
