using Confluent.SchemaRegistry;
using Microsoft.Extensions.Options;
using Streaming.Dispatcher;
using Streaming.Enricher;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.Topics;
using Streaming.Records;
using Streaming.Replay.Operations;

namespace Streaming.Replay.Doctor;

/// <summary>What one run of <c>doctor</c> checks with.</summary>
/// <param name="IngestUrl">Where Ingest answers this machine (--ingest-url), if not at its public address.</param>
public sealed record DoctorRequest(
    IReadOnlyList<ConnectedShop> Shops,
    IReadOnlyList<string> WebhookTopics,
    Uri? PublicUrl,
    Uri? IngestUrl,
    string? AdminUrl,
    Uri PinterestUrl,
    long MaxLag,
    TimeSpan Timeout,
    bool KafkaConfigured)
{
    /// <summary>Where Shopify delivers: Ingest's public address, else the one given.</summary>
    public string? WebhookAddress => (PublicUrl ?? IngestUrl) is { } ingest ? $"{ingest.ToString().TrimEnd('/')}/webhooks/shopify" : null;
}

/// <summary>
/// <c>doctor</c>: the cluster's checks (Kafka, topics, registry, Ingest's address, lag), then each
/// shop's (Pinterest token, webhooks, pixel), in that order. A check never stops the others.
/// </summary>
public sealed class DoctorCommand(DoctorRequest request, IServiceProvider services, HttpClient http)
{
    public async Task<IReadOnlyList<Check>> RunAsync(CancellationToken cancellationToken)
    {
        // Resolved only with a cluster configured: without one, the platform would start an embedded broker here.
        var clients = request.KafkaConfigured ? services.GetRequiredService<KafkaClientFactory>() : null;
        var topics = services.GetRequiredService<IOptions<TopicsOptions>>().Value;
        var clock = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Streaming.Replay.Doctor");
        var checks = new List<Check>();

        IReadOnlyList<Check> kafka = clients is not null
            ? await new KafkaChecks(clients, topics, request.Timeout).RunAsync().ConfigureAwait(false)
            : [Check.Fail(Check.Cluster, "Kafka reachable", "Kafka:BootstrapServers is empty",
                "Give --bootstrap-servers, Kafka__BootstrapServers or a --config file that names the pipeline's cluster (an embedded broker lives inside the pipeline's process and logs its address at start).")];
        checks.AddRange(kafka);
        checks.AddRange(await RegistryAsync(topics).ConfigureAwait(false));

        var storefront = new StorefrontChecks(http, request.PublicUrl, request.IngestUrl);
        checks.Add(await storefront.PublicUrlAsync(cancellationToken).ConfigureAwait(false));
        if (clients is not null && kafka[0].Status == CheckStatus.Passed)
        {
            var lag = new LagCheck(clients, request.MaxLag, request.Timeout);
            var enricher = services.GetRequiredService<IOptions<EnricherOptions>>().Value.GroupId;
            var dispatcher = services.GetRequiredService<IOptions<DispatcherOptions>>().Value.GroupId;
            checks.Add(await Task.Run(() => lag.Run("enricher", enricher, [topics[ShopifyWebhook.KafkaTopic].Name, topics[StorefrontEvent.KafkaTopic].Name]), cancellationToken).ConfigureAwait(false));
            checks.Add(await Task.Run(() => lag.Run("dispatcher", dispatcher, [topics[PinterestEvent.KafkaTopic].Name]), cancellationToken).ConfigureAwait(false));
        }

        var pinterest = new PinterestCheck(http, request.PinterestUrl, clock);
        var webhooks = new WebhookCheck(http, request.AdminUrl, request.WebhookTopics, request.WebhookAddress, clock, logger);
        foreach (var shop in request.Shops)
        {
            checks.Add(await pinterest.RunAsync(shop, cancellationToken).ConfigureAwait(false));
            checks.Add(await webhooks.RunAsync(shop, cancellationToken).ConfigureAwait(false));
            checks.Add(await storefront.PixelAsync(shop, cancellationToken).ConfigureAwait(false));
        }

        return checks;
    }

    private async Task<IReadOnlyList<Check>> RegistryAsync(TopicsOptions topics)
    {
        try
        {
            return await new RegistryChecks(
                services.GetRequiredService<ISchemaRegistryClient>(),
                services.GetRequiredService<IOptions<SchemaRegistryOptions>>().Value,
                topics,
                request.Timeout).RunAsync().ConfigureAwait(false);
        }
        catch (OptionsValidationException e)
        {
            return [Check.Fail(Check.Cluster, "schema registry reachable", string.Join(" ", e.Failures),
                "Set SchemaRegistry:Url (or --schema-registry) to the pipeline's registry, or SchemaRegistry:UseInMemoryRegistry=true for a trial.")];
        }
    }
}
