using Confluent.Kafka;
using Streaming.Kafka;

namespace Streaming.Ingest.Webhooks;

/// <summary>
/// The partitions of the webhook topic as the cluster has them, asked once and remembered: a compliance
/// request is written to each, because the data it names may sit behind any of them. Partitions are only
/// ever added to a topic, and an added one changes which partition every cart hashes to, which the
/// enricher's co-partitioning check refuses anyway.
/// </summary>
public sealed class WebhookPartitions(KafkaClientFactory clients) : IDisposable
{
    private readonly Lazy<IAdminClient> _admin = new(() => clients.CreateAdminClient("ingest-partitions"));
    private readonly Lock _gate = new();
    private IReadOnlyList<TopicPartition>? _known;

    /// <summary>Every partition of <paramref name="topic"/>, or null while the cluster does not say within <paramref name="timeout"/>.</summary>
    public IReadOnlyList<TopicPartition>? Of(string topic, TimeSpan timeout)
    {
        if (_known is { } known)
        {
            return known;
        }

        try
        {
            var metadata = _admin.Value.GetMetadata(topic, timeout).Topics.SingleOrDefault(t => t.Topic == topic);
            if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0)
            {
                return null;
            }

            var partitions = metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(p => p.Partition.Value).ToList();
            lock (_gate)
            {
                return _known ??= partitions;
            }
        }
        catch (KafkaException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
