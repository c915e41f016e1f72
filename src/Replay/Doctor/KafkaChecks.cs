using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streaming.Contracts;
using Streaming.Kafka;
using Streaming.Kafka.Topics;

namespace Streaming.Replay.Doctor;

/// <summary>
/// The cluster: reachable; each topic the pipeline uses present with its configured partitions, its
/// cleanup policy and a <c>min.insync.replicas</c> that lets acks=all writes survive a broker; and the
/// co-partitioned topics equal in partitions, without which a cart's records never meet.
/// </summary>
public sealed class KafkaChecks(KafkaClientFactory clients, TopicsOptions topics, TimeSpan timeout)
{
    public async Task<IReadOnlyList<Check>> RunAsync()
    {
        using var admin = clients.CreateAdminClient("pipeline-doctor");
        Metadata metadata;
        try
        {
            metadata = await Task.Run(() => admin.GetMetadata(timeout)).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            return [Check.Fail(Check.Cluster, "Kafka reachable", $"{clients.BootstrapServers}: {e.Error.Reason}",
                "Check Kafka:BootstrapServers (or --bootstrap-servers), that this machine reaches the brokers, and Kafka:Client's security settings (security.protocol, sasl.*).")];
        }

        var checks = new List<Check> { Check.Pass(Check.Cluster, "Kafka reachable", $"{metadata.Brokers.Count} broker(s) at {clients.BootstrapServers}") };
        var existing = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).ToDictionary(t => t.Topic, StringComparer.Ordinal);
        var configs = await ConfigsAsync(admin, topics.All.Where(t => existing.ContainsKey(t.Name)).Select(t => t.Name).ToList()).ConfigureAwait(false);
        foreach (var (declaration, options) in topics.Registered.OrderBy(r => r.Options.Name, StringComparer.Ordinal))
        {
            checks.Add(existing.TryGetValue(options.Name, out var topic)
                ? Topic(declaration, options, topic, configs)
                : Check.Fail(Check.Cluster, $"topic {options.Name}", "missing",
                    $"Start a service with Kafka:ProvisionTopics=true (the default) to create it, or create it by hand with {options.Partitions} partitions{(options.Compacted ? " and cleanup.policy=compact" : "")} (Kafka:Topics:{declaration.Key})."));
        }

        checks.AddRange(CoPartitioning(existing));
        return checks;
    }

    private static Check Topic(TopicDeclaration declaration, TopicOptions options, TopicMetadata topic, Configs configs)
    {
        var name = $"topic {options.Name}";
        var partitions = topic.Partitions.Count;
        var replicas = topic.Partitions.Count == 0 ? 0 : topic.Partitions.Min(p => p.Replicas.Length);
        if (partitions != options.Partitions)
        {
            return Check.Fail(Check.Cluster, name, $"{partitions} partitions, configured {options.Partitions}",
                $"Set Kafka:Topics:{declaration.Key}:Partitions to {partitions} in every service's configuration (the cluster's count is the one that holds the data: " +
                "adding partitions to a keyed topic moves keys), or recreate the topic while it is empty.");
        }

        if (configs.Error is { } unreadable)
        {
            return Check.Fail(Check.Cluster, name, $"{partitions} partitions; its configuration could not be read ({unreadable})",
                $"Allow this client DescribeConfigs on the topic, or check by hand: kafka-configs --bootstrap-server <broker> --entity-type topics --entity-name {options.Name} --describe " +
                $"(expected cleanup.policy={(options.Compacted ? "compact" : "delete")}, min.insync.replicas at least 2 with 3 replicas).");
        }

        var config = configs.ByTopic.GetValueOrDefault(options.Name) ?? new Dictionary<string, string>(StringComparer.Ordinal);
        var policy = config.GetValueOrDefault("cleanup.policy", "delete");
        var compacted = policy.Contains("compact", StringComparison.Ordinal);
        if (compacted != options.Compacted)
        {
            return Check.Fail(Check.Cluster, name, $"cleanup.policy={policy}, expected {(options.Compacted ? "compact" : "delete")}",
                options.Compacted
                    ? $"kafka-configs --alter --entity-type topics --entity-name {options.Name} --add-config cleanup.policy=compact: without it the changelog grows without end, and restores read all of it."
                    : $"kafka-configs --alter --entity-type topics --entity-name {options.Name} --add-config cleanup.policy=delete{(options.RetentionMs is { } ms ? $",retention.ms={ms}" : "")}: " +
                      "compaction keeps only the last record of a key, and this topic's records are events (the delivered-id changelog's carry whole requests since issue 26).");
        }

        var minInSync = int.TryParse(config.GetValueOrDefault("min.insync.replicas"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) ? m : 1;
        var expected = options.EffectiveMinInSyncReplicas ?? (replicas >= 3 ? 2 : (int?)null);
        var layout = $"{partitions} partitions, {replicas} replica(s), cleanup.policy={policy}, min.insync.replicas={minInSync}";
        if (minInSync > replicas)
        {
            return Check.Fail(Check.Cluster, name, layout,
                $"min.insync.replicas is above the replication factor: every acks=all write fails. Lower it to {Math.Max(1, replicas - 1)}.");
        }

        return expected is { } wanted && minInSync < wanted
            ? Check.Fail(Check.Cluster, name, layout,
                $"kafka-configs --alter --entity-type topics --entity-name {options.Name} --add-config min.insync.replicas={wanted}: with fewer, an acknowledged write can be lost with one broker.")
            : Check.Pass(Check.Cluster, name, layout);
    }

    private IEnumerable<Check> CoPartitioning(Dictionary<string, TopicMetadata> existing) =>
        topics.Registered
            .Where(r => r.Declaration.CoPartitionGroup is not null && existing.ContainsKey(r.Options.Name))
            .GroupBy(r => r.Declaration.CoPartitionGroup!)
            .Select(group =>
            {
                var counts = group.Select(r => (r.Options.Name, Partitions: existing[r.Options.Name].Partitions.Count)).ToList();
                var detail = string.Join(", ", counts.Select(c => $"{c.Name} {c.Partitions}"));
                return counts.Select(c => c.Partitions).Distinct().Count() == 1
                    ? Check.Pass(Check.Cluster, $"co-partitioned ({group.Key})", detail)
                    : Check.Fail(Check.Cluster, $"co-partitioned ({group.Key})", detail,
                        "Give these topics the same partition count: records of one key land on different partition numbers and never meet. The services refuse to start until then.");
            });

    private async Task<Configs> ConfigsAsync(IAdminClient admin, List<string> names)
    {
        if (names.Count == 0)
        {
            return new Configs(new Dictionary<string, Dictionary<string, string>>(), null);
        }

        try
        {
            var described = await admin.DescribeConfigsAsync(
                names.Select(n => new ConfigResource { Type = ResourceType.Topic, Name = n }),
                new DescribeConfigsOptions { RequestTimeout = timeout }).WaitAsync(timeout).ConfigureAwait(false);
            return new Configs(
                described.ToDictionary(d => d.ConfigResource.Name, d => d.Entries.ToDictionary(e => e.Key, e => e.Value.Value, StringComparer.Ordinal), StringComparer.Ordinal),
                null);
        }
        catch (Exception e) when (e is KafkaException or TimeoutException)
        {
            var reason = e is DescribeConfigsException d
                ? string.Join("; ", d.Results.Where(r => r.Error.IsError).Select(r => r.Error.Reason).Distinct())
                : e.Message;
            return new Configs(new Dictionary<string, Dictionary<string, string>>(), reason);
        }
    }

    private sealed record Configs(Dictionary<string, Dictionary<string, string>> ByTopic, string? Error);
}
