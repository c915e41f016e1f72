using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace Streaming.Topology.Tests;

/// <summary>
/// What the enrichers restored from their changelog, read from their consoles (the restorer's line
/// <c>Restored {Partitions} partition(s) of {Changelog}: {Changes} change(s)</c>), against what the
/// changelog holds: how much of its state a restart cost.
/// </summary>
public static partial class Restores
{
    /// <summary>Changes restored by each enricher replica over all its runs so far.</summary>
    public static Dictionary<string, long> ByEnricher(Topology topology) =>
        topology.Replicas.Where(r => r.Deployable.Name == "enricher").ToDictionary(
            r => r.Name,
            r => RestoredLine().Matches(ConsoleText.Flatten(r.Output)).Sum(m => long.Parse(m.Groups["changes"].Value, CultureInfo.InvariantCulture)));

    /// <summary>Records written to the enricher's changelog so far (every partition's end offset).</summary>
    public static long ChangelogLength(Topology topology)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = topology.Cluster.BootstrapServers,
            GroupId = $"topology-watermarks-{Guid.NewGuid():N}",
        }).Build();
        var topic = topology.Topics.EnricherState;
        return Enumerable.Range(0, topic.Partitions)
            .Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic.Name, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    [GeneratedRegex(@"Restored \d+ partition\(s\) of [^:]+: (?<changes>\d+) change\(s\)")]
    private static partial Regex RestoredLine();
}
