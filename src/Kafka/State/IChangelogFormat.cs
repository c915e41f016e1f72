using Confluent.Kafka;

namespace Streaming.Kafka.State;

/// <summary>
/// How a store's changes are carried on its changelog where that is not one record per change. Most stores
/// have none: each change is its own record, restored as it is. The dispatcher's delivered ids write one
/// record per request and partition instead of one per id, which is what it costs to remember them.
/// </summary>
public interface IChangelogFormat
{
    /// <summary>
    /// The changelog records for a batch's changes, in the order they are to be written. A change may be
    /// left out (kept on local disk only) where the changelog's retention does its work.
    /// </summary>
    Task<IReadOnlyList<KeyValuePair<string, byte[]?>>> ComposeAsync(
        IReadOnlyList<KeyValuePair<string, byte[]?>> changes, TopicPartition changelog, CancellationToken cancellationToken);

    /// <summary>The store changes that one changelog record stands for, read back when a partition is restored.</summary>
    IEnumerable<KeyValuePair<byte[], byte[]?>> Expand(ConsumeResult<byte[], byte[]?> record);
}
