using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Streaming.Platform.Kafka;

/// <summary>
/// Creates the configured topics that the cluster lacks, before any consumer starts. A cluster that
/// refuses (no admin rights, or a broker without the admin API) gets one log line, and start-up goes on:
/// the topics may well be managed elsewhere.
/// </summary>
public sealed partial class TopicProvisioner(
    KafkaClientFactory clients,
    IKafkaCluster cluster,
    IOptions<KafkaOptions> options,
    ILogger<TopicProvisioner> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var kafka = options.Value;
        if (cluster is Embedded.EmbeddedKafkaCluster)
        {
            LogEmbedded(cluster.Description);
        }
        else
        {
            LogCluster(cluster.Description);
        }

        if (!kafka.ProvisionTopics)
        {
            return;
        }

        using var admin = clients.CreateAdminClient("topic-provisioner");
        List<TopicSpecification> missing;
        try
        {
            var existing = admin.GetMetadata(kafka.ProvisioningTimeout).Topics
                .Where(t => t.Error.Code == ErrorCode.NoError)
                .Select(t => t.Topic)
                .ToHashSet(StringComparer.Ordinal);
            missing = kafka.Topics.All.Where(t => !existing.Contains(t.Name)).Select(Specification).ToList();
        }
        catch (KafkaException e)
        {
            LogNotProvisioned(clients.BootstrapServers, "cluster metadata unavailable", e.Error.Reason);
            return;
        }

        if (missing.Count == 0)
        {
            return;
        }

        try
        {
            await admin.CreateTopicsAsync(missing, new CreateTopicsOptions { RequestTimeout = kafka.ProvisioningTimeout })
                .WaitAsync(kafka.ProvisioningTimeout, cancellationToken)
                .ConfigureAwait(false);
            LogCreated(string.Join(", ", missing.Select(t => $"{t.Name} ({t.NumPartitions} partitions{(t.Configs.TryGetValue("cleanup.policy", out var p) ? ", " + p : "")})")));
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another instance created them first.
        }
        catch (Exception e) when (e is KafkaException or TimeoutException)
        {
            var reasons = e is CreateTopicsException c
                ? string.Join("; ", c.Results.Where(r => r.Error.Code != ErrorCode.NoError).Select(r => $"{r.Topic}: {r.Error.Reason}").Distinct())
                : e.Message;
            LogNotProvisioned(clients.BootstrapServers, string.Join(", ", missing.Select(t => t.Name)), reasons);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static TopicSpecification Specification(TopicOptions topic)
    {
        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (topic.Compacted)
        {
            configs["cleanup.policy"] = "compact";
        }

        if (topic.MinInSyncReplicas is { } minInSync)
        {
            configs["min.insync.replicas"] = minInSync.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (topic.RetentionMs is { } retention)
        {
            configs["retention.ms"] = retention.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new TopicSpecification
        {
            Name = topic.Name,
            NumPartitions = topic.Partitions,
            ReplicationFactor = topic.ReplicationFactor,
            Configs = configs,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka: {Cluster}. Kafka:BootstrapServers is empty, so records live in this process only and are gone when it stops: fine for a trial, never for a shop")]
    private partial void LogEmbedded(string cluster);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka: {Cluster}")]
    private partial void LogCluster(string cluster);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topics: {Topics}")]
    private partial void LogCreated(string topics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topics not provisioned on {BootstrapServers} ({Topics}): {Reason}. Going on; create them by hand if they are missing.")]
    private partial void LogNotProvisioned(string bootstrapServers, string topics, string reason);
}
