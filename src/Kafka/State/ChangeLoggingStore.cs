using Confluent.Kafka;
using Streaming.Kafka;

namespace Streaming.Kafka.State;

/// <summary>
/// Writes every change to the store's changelog partition (the same partition number as the input it
/// belongs to) before handing it to the layer below, so that the changelog always holds at
/// least what any local copy holds: another instance restores the partition from it. A store with an
/// <see cref="IChangelogFormat"/> writes the records that format composes instead of the changes themselves.
/// </summary>
public sealed class ChangeLoggingStore(IKeyValueStore inner, RecordPublisher publisher, TopicPartition changelog, IChangelogFormat? format = null) : IKeyValueStore
{
    public TopicPartition Changelog { get; } = changelog;

    public byte[]? Read(string key) => inner.Read(key);

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null) => inner.Scan(prefix, after);

    public async Task<long?> WriteAsync(IReadOnlyList<KeyValuePair<string, byte[]?>> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return null;
        }

        var records = format is null ? changes : await format.ComposeAsync(changes, Changelog, cancellationToken).ConfigureAwait(false);

        // Queued in order, acknowledged together: the idempotent producer keeps them in order on the partition.
        long? highest = records.Count == 0 ? null : await publisher.PublishRawAllAsync(Changelog, records, cancellationToken).ConfigureAwait(false);
        await inner.WriteAsync(changes, cancellationToken).ConfigureAwait(false);
        return highest;
    }

    public void Dispose() => inner.Dispose();
}
