using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Streaming.Contracts;

namespace Streaming.Kafka.Topics;

/// <summary>
/// Creates the registered topics that the cluster lacks, before any consumer starts. A cluster that
/// refuses (no admin rights, or a broker without the admin API) gets one log line, and start-up goes on:
/// the topics may well be managed elsewhere. Co-partitioned topics whose partition counts differ on the
/// cluster stop the start-up: joins by key would silently miss.
/// </summary>
public sealed partial class TopicProvisioner(
    KafkaClientFactory clients,
    IKafkaCluster cluster,
    IOptions<KafkaOptions> options,
    IOptions<TopicsOptions> topics,
    ILogger<TopicProvisioner> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var kafka = options.Value;
        if (cluster.InProcess)
        {
            LogEmbedded(cluster.Description);
        }
        else
        {
            LogCluster(cluster.Description);
        }

        using var admin = clients.CreateAdminClient("topic-provisioner");
        Dictionary<string, int> existing;
        try
        {
            existing = admin.GetMetadata(kafka.ProvisioningTimeout).Topics
                .Where(t => t.Error.Code == ErrorCode.NoError)
                .ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal);
        }
        catch (KafkaException e)
        {
            LogNotProvisioned(clients.BootstrapServers, "cluster metadata unavailable", e.Error.Reason);
            return;
        }

        CheckCoPartitioned(existing);
        if (!kafka.ProvisionTopics)
        {
            return;
        }

        var missing = topics.Value.All.Where(t => !existing.ContainsKey(t.Name)).Select(Specification).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        try
        {
            await admin.CreateTopicsAsync(missing, new CreateTopicsOptions { RequestTimeout = kafka.ProvisioningTimeout })
                .WaitAsync(kafka.ProvisioningTimeout, cancellationToken)
                .ConfigureAwait(false);
            LogCreated(string.Join(", ", missing.Select(Describe)));
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

    /// <summary>The partition counts a co-partitioned group will have: the cluster's where a topic exists, else the configured one.</summary>
    private void CheckCoPartitioned(Dictionary<string, int> existing)
    {
        var groups = topics.Value.Registered
            .Where(r => r.Declaration.CoPartitionGroup is not null)
            .GroupBy(r => r.Declaration.CoPartitionGroup!);
        foreach (var group in groups)
        {
            var counts = group
                .Select(r => (r.Options.Name, Partitions: existing.TryGetValue(r.Options.Name, out var n) ? n : r.Options.Partitions))
                .ToList();
            if (counts.Select(c => c.Partitions).Distinct().Count() > 1)
            {
                var detail = string.Join(", ", counts.Select(c => $"{c.Name} has {c.Partitions}"));
                LogNotCoPartitioned(detail);
                throw new InvalidOperationException(
                    $"Co-partitioned topics differ in partition count on {clients.BootstrapServers}: {detail}. " +
                    "Records of one cart would land on different partition numbers and never meet; give the topics the same count.");
            }
        }
    }

    /// <summary>How long a record superseded under its key may stay readable on a compacted topic with a retention.</summary>
    public const long MaxCompactionLagMs = 24L * 3600 * 1000;

    private static TopicSpecification Specification(TopicOptions topic)
    {
        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (topic.Compacted && topic.RetentionMs is not null)
        {
            // Compacted and still bounded in time (the dead letters): a copy written under a record's key
            // supersedes it, and the original is gone from disk within a day, not whenever a segment fills.
            configs["cleanup.policy"] = "compact,delete";
            configs["max.compaction.lag.ms"] = MaxCompactionLagMs.ToString(CultureInfo.InvariantCulture);
        }
        else if (topic.Compacted)
        {
            configs["cleanup.policy"] = "compact";
        }

        if (topic.EffectiveMinInSyncReplicas is { } minInSync)
        {
            configs["min.insync.replicas"] = minInSync.ToString(CultureInfo.InvariantCulture);
        }

        if (topic.RetentionMs is { } retention)
        {
            configs["retention.ms"] = retention.ToString(CultureInfo.InvariantCulture);
        }

        return new TopicSpecification
        {
            Name = topic.Name,
            NumPartitions = topic.Partitions,
            ReplicationFactor = topic.ReplicationFactor,
            Configs = configs,
        };
    }

    private static string Describe(TopicSpecification t) =>
        $"{t.Name} ({t.NumPartitions} partitions{string.Concat(t.Configs.Select(c => $", {c.Key}={c.Value}"))})";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka: {Cluster}. Kafka:BootstrapServers is empty, so records live in this process only and are gone when it stops: fine for a trial, never for a shop")]
    private partial void LogEmbedded(string cluster);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka: {Cluster}")]
    private partial void LogCluster(string cluster);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topics: {Topics}")]
    private partial void LogCreated(string topics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topics not provisioned on {BootstrapServers} ({Topics}): {Reason}. Going on; create them by hand if they are missing.")]
    private partial void LogNotProvisioned(string bootstrapServers, string topics, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Not starting: co-partitioned topics differ in partition count ({Detail}). Give them the same count (Kafka:Topics:<Key>:Partitions, and on the cluster).")]
    private partial void LogNotCoPartitioned(string detail);
}
