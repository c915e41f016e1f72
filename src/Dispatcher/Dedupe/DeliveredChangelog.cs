using System.Runtime.CompilerServices;
using System.Text;
using Confluent.Kafka;
using Streaming.Contracts;
using Streaming.Kafka.Avro;
using Streaming.Kafka.State;
using Streaming.Records;

namespace Streaming.Dispatcher.Dedupe;

/// <summary>
/// The delivered-id changelog as one record per request and partition: the ids of a request that fell on the
/// partition, with their time and shop (<see cref="DeliveredEvent.EventIds"/>), instead of one record per id.
/// The store on disk keeps one entry per id; a restore expands each record into them. Records written one
/// per id (before this format, or by an instance not yet upgraded) are restored as they are, so an upgrade
/// forgets nothing. Such records cannot be compacted by id, so the changelog is kept by time (its retention
/// covers Dispatcher:DeliveredRetention), and an id swept from the store is swept locally only: its record
/// ages out of the changelog, and an entry past the retention is not accepted wherever it is read.
/// </summary>
public sealed class DeliveredChangelog(AvroSerdes serdes) : IChangelogFormat
{
    public async Task<IReadOnlyList<KeyValuePair<string, byte[]?>>> ComposeAsync(
        IReadOnlyList<KeyValuePair<string, byte[]?>> changes, TopicPartition changelog, CancellationToken cancellationToken)
    {
        // The ids of a request share one encoded value per shop (DeliveredIds.RecordAsync): grouped by that
        // value and by ad account, they make one record each, and each value is decoded once.
        var groups = new Dictionary<(string AdAccount, byte[] Value), List<string>>(new GroupComparer());
        foreach (var (key, value) in changes)
        {
            if (value is null || RecordKeys.DeliveredAdAccount(key) is not { } adAccount)
            {
                continue;
            }

            if (!groups.TryGetValue((adAccount, value), out var ids))
            {
                groups[(adAccount, value)] = ids = [];
            }

            ids.Add(RecordKeys.DeliveredEventId(key));
        }

        var records = new List<KeyValuePair<string, byte[]?>>(groups.Count);
        foreach (var ((adAccount, value), ids) in groups)
        {
            var entry = await serdes.DeserializeAsync<DeliveredEvent>(value, changelog.Topic).ConfigureAwait(false);
            var record = new DeliveredEvent { AcceptedAt = entry.AcceptedAt, ShopDomain = entry.ShopDomain, EventIds = ids };
            records.Add(new(
                RecordKeys.DeliveredRequest(adAccount, ids[0], entry.AcceptedAt),
                await serdes.SerializeAsync(record, changelog.Topic).ConfigureAwait(false)));
        }

        return records;
    }

    // Runs in the restore, which is synchronous (the partition is not handed to its lanes before it ends). A
    // record that cannot be decoded (the registry is unreachable) fails the restore rather than leaving ids
    // out: the assignment is tried again, and no accepted id is forgotten.
    public IEnumerable<KeyValuePair<byte[], byte[]?>> Expand(ConsumeResult<byte[], byte[]?> record)
    {
        var key = record.Message.Key ?? [];
        if (record.Message.Value is not { Length: > 0 } value)
        {
            return [new(key, null)];
        }

        var entry = serdes.DeserializeAsync<DeliveredEvent>(value, record.Topic).GetAwaiter().GetResult();
        if (entry.EventIds.Count == 0)
        {
            return [new(key, value)];
        }

        var adAccount = RecordKeys.DeliveredAdAccount(Encoding.UTF8.GetString(key)) ?? "";
        var stored = serdes.SerializeAsync(new DeliveredEvent { AcceptedAt = entry.AcceptedAt, ShopDomain = entry.ShopDomain }, record.Topic).GetAwaiter().GetResult();
        return entry.EventIds.Select(id => new KeyValuePair<byte[], byte[]?>(Encoding.UTF8.GetBytes(RecordKeys.Delivered(adAccount, id)), stored));
    }

    private sealed class GroupComparer : IEqualityComparer<(string AdAccount, byte[] Value)>
    {
        public bool Equals((string AdAccount, byte[] Value) x, (string AdAccount, byte[] Value) y) =>
            ReferenceEquals(x.Value, y.Value) && string.Equals(x.AdAccount, y.AdAccount, StringComparison.Ordinal);

        public int GetHashCode((string AdAccount, byte[] Value) group) =>
            HashCode.Combine(StringComparer.Ordinal.GetHashCode(group.AdAccount), RuntimeHelpers.GetHashCode(group.Value));
    }
}
