using Avro.Specific;
using Confluent.SchemaRegistry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Streaming.Contracts;
using Streaming.Development.Kafka;
using Streaming.Development.Registry;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.State;
using Streaming.Kafka.Topics;
using Streaming.Records;

namespace Streaming.ServiceDefaults;

/// <summary>What every service of the pipeline registers the same way: Kafka, Avro, shops, telemetry, health.</summary>
public static class PlatformServiceExtensions
{
    /// <summary>The tag of health checks that <c>/readyz</c> reports.</summary>
    public const string ReadyTag = "ready";
    private static readonly object Marker = new();

    /// <summary>Registers the shared parts once, however many services one host runs.</summary>
    public static IHostApplicationBuilder AddPipelinePlatform(this IHostApplicationBuilder builder)
    {
        if (!builder.Properties.TryAdd(Marker, true))
        {
            return builder;
        }

        // Defaults below every other source, so appsettings, environment and command line still decide:
        // one console line per request and stage, from ASP.NET Core or HttpClient, costs more CPU than a webhook's work.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                // IHttpClientFactory's clients log four lines per request (the Dispatcher's
                // to Pinterest, say): the pipeline logs the outcomes that matter itself.
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
                ["Logging:LogLevel:Microsoft.Extensions.Http"] = "Warning",
                // A line per unhealthy report, so per probe: HealthStateLog logs each change of state instead.
                [$"Logging:LogLevel:{HealthStateLog.ReportLogCategory}"] = "None",
                // Every line carries the scopes it was logged in: the record (topic, partition, offset) and its shop.
                ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
            },
        });

        var services = builder.Services;
        services.AddOptions<KafkaOptions>().Bind(builder.Configuration.GetSection(KafkaOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>();
        services.AddOptions<TopicsOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<TopicsOptions>, TopicsOptionsValidator>();
        services.AddOptions<SchemaRegistryOptions>().Bind(builder.Configuration.GetSection(SchemaRegistryOptions.Section)).ValidateOnStart();
        services.AddSingleton<ProductionGuard>();
        services.AddSingleton<IValidateOptions<KafkaOptions>>(sp => sp.GetRequiredService<ProductionGuard>());
        services.AddSingleton<IValidateOptions<SchemaRegistryOptions>>(sp => sp.GetRequiredService<ProductionGuard>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PipelineTelemetry>();
        services.AddSingleton<IKafkaCluster>(CreateCluster);
        services.AddSingleton<KafkaClientFactory>();
        services.AddSingleton<ConsumerLags>();
        services.AddSingleton<ISchemaRegistryClient>(CreateRegistry);
        services.AddSingleton<AvroSerdes>();
        services.AddSingleton<RecordPublisher>();
        services.AddSingleton<DeadLetterPublisher>();

        // Hosted services start in order: topics exist before the first consumer subscribes.
        services.AddHostedService<TopicProvisioner>();
        builder.AddTopic(DeadLetter.KafkaTopic);

        services.AddHealthChecks().AddCheck<KafkaHealthCheck>("kafka", tags: [ReadyTag]);
        services.AddSingleton<KafkaHealthCheck>();
        services.AddSingleton<HealthStateLog>();
        services.PostConfigure<HealthCheckServiceOptions>(HealthStateLog.ObserveEveryCheck);

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Environment.ApplicationName))
            .WithTracing(t => t
                .AddSource(PipelineTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithMetrics(m => m
                .AddMeter(PipelineTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        // Read now, not through options: the exporter is part of the meter provider being built here.
        services.AddOptions<TelemetryOptions>().Bind(builder.Configuration.GetSection(TelemetryOptions.Section));
        if (builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>()?.PrometheusMetrics == true)
        {
            telemetry.WithMetrics(m => m.AddPrometheusExporter());
        }

        return builder;
    }

    /// <summary>
    /// Declares that a service of this process reads or writes <paramref name="topic"/>: its section
    /// <c>Kafka:Topics:&lt;Key&gt;</c> is bound over the declared defaults, and the provisioner creates it.
    /// </summary>
    public static IHostApplicationBuilder AddTopic(this IHostApplicationBuilder builder, TopicDeclaration topic)
    {
        var section = builder.Configuration.GetSection($"{KafkaOptions.Section}:Topics:{topic.Key}");
        builder.Services.Configure<TopicsOptions>(topics =>
        {
            var options = topic.Defaults();
            section.Bind(options);
            topics.Register(topic, options);
        });
        return builder;
    }

    /// <summary>
    /// Runs <typeparamref name="THandler"/> over one topic in a consumer group, read as the configuration
    /// section <paramref name="section"/> says.
    /// </summary>
    public static IHostApplicationBuilder AddConsumerLoop<T, THandler, TOptions>(
        this IHostApplicationBuilder builder, string service, string section, TopicDeclaration topic)
        where T : class, ISpecificRecord
        where THandler : class, IRecordBatchHandler<T>
        where TOptions : ConsumerGroupOptions
    {
        builder.AddTopic(topic);
        builder.AddValidatedOptions<TOptions>(section);
        builder.Services.AddConsumerLoop<T, THandler>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TOptions>>().Value;
            var topics = sp.GetRequiredService<IOptions<TopicsOptions>>().Value;
            return new ConsumerLoopSettings(
                service, topics[topic].Name, typeof(T), options.GroupId, options.MaxBatchSize, options.MaxBatchWait, options.MaxRetryBackoff);
        });
        return builder;
    }

    /// <summary>
    /// Runs <typeparamref name="THandler"/> over co-partitioned topics in one consumer group: each member
    /// gets the same partition numbers of every topic, and the records of all of them in one batch.
    /// </summary>
    public static IHostApplicationBuilder AddJoiningConsumerLoop<THandler, TOptions>(
        this IHostApplicationBuilder builder, string service, string section, params (TopicDeclaration Topic, Type ValueType)[] topics)
        where THandler : class, IRecordBatchHandler<ISpecificRecord>
        where TOptions : ConsumerGroupOptions
    {
        foreach (var (topic, _) in topics)
        {
            builder.AddTopic(topic);
        }

        builder.AddValidatedOptions<TOptions>(section);
        builder.Services.TryAddSingleton<ChangelogRestorer>();
        builder.Services.AddConsumerLoop<ISpecificRecord, THandler>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TOptions>>().Value;
            var names = sp.GetRequiredService<IOptions<TopicsOptions>>().Value;
            return new ConsumerLoopSettings(
                service,
                topics.Select(t => new ConsumedTopic(names[t.Topic].Name, t.ValueType)).ToList(),
                options.GroupId,
                options.MaxBatchSize,
                options.MaxBatchWait,
                options.MaxRetryBackoff);
        });
        return builder;
    }

    /// <summary>Runs <typeparamref name="THandler"/> over one topic in a consumer group.</summary>
    public static IServiceCollection AddConsumerLoop<T, THandler>(
        this IServiceCollection services, Func<IServiceProvider, ConsumerLoopSettings> settings)
        where T : class, ISpecificRecord
        where THandler : class, IRecordBatchHandler<T>
    {
        services.TryAddSingleton<THandler>();
        services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<ConsumerLoop<T>>(
            sp, settings(sp), sp.GetRequiredService<THandler>()));
        return services;
    }

    /// <summary>
    /// <c>/healthz</c>: the process is alive. <c>/readyz</c>: it can reach Kafka. And <c>/metrics</c> for
    /// Prometheus when <c>Telemetry:PrometheusMetrics</c> is on: every deployable maps these, so each can be probed and scraped.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealthAsync });
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value.PrometheusMetrics)
        {
            endpoints.MapPrometheusScrapingEndpoint();
        }

        return endpoints;
    }

    /// <summary>Each check with its status and description: an operator sees which part (or which shop) is degraded.</summary>
    private static Task WriteHealthAsync(Microsoft.AspNetCore.Http.HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }

    private static IKafkaCluster CreateCluster(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<KafkaOptions>>().Value;
        if (!options.UsesEmbeddedBroker)
        {
            return new ConfiguredKafkaCluster(options.BootstrapServers!);
        }

        var cluster = new EmbeddedKafkaCluster(options.EmbeddedBrokers);
        foreach (var topic in services.GetRequiredService<IOptions<TopicsOptions>>().Value.All)
        {
            cluster.CreateTopic(topic);
        }

        return cluster;
    }

    private static ISchemaRegistryClient CreateRegistry(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<SchemaRegistryOptions>>().Value;
        if (options.UsesInMemoryRegistry)
        {
            return new InMemorySchemaRegistry();
        }

        var config = new SchemaRegistryConfig { Url = options.Url };
        if (!string.IsNullOrWhiteSpace(options.BasicAuthUserInfo))
        {
            config.BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo;
            config.BasicAuthUserInfo = options.BasicAuthUserInfo;
        }

        return new CachedSchemaRegistryClient(config);
    }
}
