using Confluent.Kafka;
using Streaming.Kafka;

namespace Streaming.Replay.Doctor;

/// <summary>
/// The consumer groups' lag: per group, the records of its topics between its committed offsets and the
/// end of each partition, as the group's own members would see on start. A group that committed nothing
/// while records wait has never run here.
/// </summary>
public sealed class LagCheck(KafkaClientFactory clients, long maxLag, TimeSpan timeout)
{
    /// <param name="service">The service the group belongs to, for the message (enricher, dispatcher).</param>
    public Check Run(string service, string group, IReadOnlyList<string> topics)
    {
        var name = $"lag of {service} ({group})";
        try
        {
            using var admin = clients.CreateAdminClient("pipeline-doctor-lag");
            var metadata = admin.GetMetadata(timeout);
            var partitions = metadata.Topics
                .Where(t => topics.Contains(t.Topic) && t.Error.Code == ErrorCode.NoError)
                .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
                .ToList();
            if (partitions.Count == 0)
            {
                return Check.Fail(Check.Cluster, name, $"none of its topics exists ({string.Join(", ", topics)})", "See the topic lines above.");
            }

            // A consumer that never subscribes only reads the group's offsets: it does not join the group.
            using var consumer = new ConsumerBuilder<byte[]?, byte[]>(clients.ConsumerConfig("pipeline-doctor-lag", group)).Build();
            var committed = consumer.Committed(partitions, timeout);
            long lag = 0, waiting = 0;
            var anyCommitted = false;
            foreach (var offset in committed)
            {
                var watermarks = consumer.QueryWatermarkOffsets(offset.TopicPartition, timeout);
                waiting += watermarks.High.Value - watermarks.Low.Value;
                if (offset.Offset.IsSpecial)
                {
                    lag += watermarks.High.Value - watermarks.Low.Value;
                    continue;
                }

                anyCommitted = true;
                lag += Math.Max(0, watermarks.High.Value - offset.Offset.Value);
            }

            if (!anyCommitted && waiting > 0)
            {
                return Check.Fail(Check.Cluster, name, $"no offsets committed, {waiting} record(s) waiting",
                    $"The {service} has not read here yet: start it (the same Kafka:BootstrapServers and {group} as configured here).");
            }

            return lag > maxLag
                ? Check.Fail(Check.Cluster, name, $"{lag} record(s) behind (more than --max-lag {maxLag})",
                    $"Check that the {service} runs and is not failing (its logs, /readyz, pipeline.consumer.lag); give it more instances, up to the topics' partitions.")
                : Check.Pass(Check.Cluster, name, $"{lag} record(s) behind");
        }
        catch (KafkaException e)
        {
            return Check.Fail(Check.Cluster, name, $"could not read the group's offsets: {e.Error.Reason}", "Allow this client to describe the group (Describe on the group ACL).");
        }
    }
}
