using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Streaming.Kafka;
using Streaming.Operator.Access;
using Streaming.Operator.Counting;
using Streaming.Operator.Metrics;
using Streaming.Operator.Reading;
using Streaming.Records;
using Streaming.ServiceDefaults;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Operator;

public static class OperatorServiceExtensions
{
    /// <summary>
    /// Registers the operator view: a reader of the delivery log, the enrichment outcomes and the dead
    /// letters (every partition, 7 days back, then live), the counts it keeps, their counters, and the
    /// readiness check that waits for the rebuild.
    /// </summary>
    /// <param name="whileRebuilding">
    /// What <c>/readyz</c> says until the rebuild caught up: unhealthy for the operator service on its own;
    /// degraded where it shares a process with Ingest, which must keep taking webhooks meanwhile.
    /// </param>
    public static IHostApplicationBuilder AddOperator(this IHostApplicationBuilder builder, HealthStatus whileRebuilding = HealthStatus.Unhealthy)
    {
        builder.AddPipelinePlatform()
            .AddShops<OperatorShop>()
            .AddTopic(PinterestDelivery.KafkaTopic)
            .AddTopic(EnrichmentOutcome.KafkaTopic);
        var services = builder.Services;
        services.AddOptions<OperatorOptions>()
            .Bind(builder.Configuration.GetSection(OperatorOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<OperatorOptions>, OperatorOptionsValidator>();
        services.AddSingleton<StartOffsets>();
        services.AddSingleton<OperatorView>();
        services.AddSingleton<Rebuild>();
        services.AddSingleton<OperatorAccess>();
        services.AddHostedService<TopicFeed>();
        services.AddSingleton<OperatorMetrics>();
        services.AddHostedService<ClosedWarning>();
        services.AddHealthChecks().AddCheck<RebuildHealth>("operator-view", whileRebuilding, [PlatformServiceExtensions.ReadyTag]);

        return builder;
    }
}
