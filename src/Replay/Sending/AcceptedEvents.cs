using System.Text;
using Confluent.Kafka;
using Streaming.Contracts;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.Reading;
using Streaming.Records;
using Streaming.Replay.Kafka;

namespace Streaming.Replay.Sending;

/// <summary>
/// The event ids Pinterest accepted, per ad account, as the dispatcher's delivered-id changelog holds
/// them (the latest value per key wins; a tombstone or an entry past the retention is no longer
/// accepted). A record carries one id (under its key) or a request's ids (<see cref="DeliveredEvent.EventIds"/>);
/// the changelog may hold both. Only the ad accounts of the selected shops are kept. The dispatcher's store still decides
/// when the events arrive; this lets the tool say what would be skipped, and not write it at all. The
/// changelog is read through the <see cref="RecordReader{T}"/> kernel like every other input of the tool,
/// so an entry whose schema the registry cannot give yet waits, and the run goes on once it can.
/// </summary>
public sealed class AcceptedEvents
{
    private readonly HashSet<string> _keys;

    private AcceptedEvents(HashSet<string> keys) => _keys = keys;

    public int Count => _keys.Count;

    public bool Contains(string adAccountId, string eventId) => _keys.Contains(Key(adAccountId, eventId));

    public static string Key(string adAccountId, string eventId) => RecordKeys.Delivered(adAccountId, eventId);

    public static AcceptedEvents Load(
        KafkaClientFactory clients,
        StartOffsets offsets,
        AvroSerdes serdes,
        string changelogTopic,
        IReadOnlySet<string> adAccounts,
        DateTimeOffset acceptedSince,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, bool>(StringComparer.Ordinal);
        var decode = RecordDecoding.Avro<DeliveredEvent>(serdes);
        using var reader = new BoundedReader<Entry>(
            clients,
            offsets.Find(changelogTopic, DateTimeOffset.UnixEpoch, cancellationToken),
            record => DecodeAsync(record, decode, adAccounts),
            (record, _, error, _) => LeaveOut(logger, record, error),
            logger);
        for (var batch = reader.Next(5_000, cancellationToken); batch.Count > 0; batch = reader.Next(5_000, cancellationToken))
        {
            foreach (var record in batch)
            {
                foreach (var key in record.Value.Keys)
                {
                    latest[key] = record.Value.AcceptedAt >= acceptedSince;
                }
            }
        }

        return new AcceptedEvents(latest.Where(e => e.Value).Select(e => e.Key).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>An entry of a selected ad account; null for the others, which are left undecoded.</summary>
    private static async Task<Entry?> DecodeAsync(ConsumeResult<byte[]?, byte[]> record, DecodeRecord<DeliveredEvent> decode, IReadOnlySet<string> adAccounts)
    {
        if (record.Message.Key is not { } keyBytes)
        {
            return null;
        }

        var key = Encoding.UTF8.GetString(keyBytes);
        if (RecordKeys.DeliveredAdAccount(key) is not { } adAccount || !adAccounts.Contains(adAccount))
        {
            return null;
        }

        // A tombstone: the id was swept from the dispatcher's store, so it is no longer accepted.
        if (record.Message.Value is not { Length: > 0 })
        {
            return new Entry([key], DateTimeOffset.MinValue);
        }

        var delivered = await decode(record).ConfigureAwait(false);
        if (delivered is null)
        {
            return null;
        }

        IReadOnlyList<string> keys = delivered.EventIds.Count == 0 ? [key] : [.. delivered.EventIds.Select(id => Key(adAccount, id))];
        return new Entry(keys, new DateTimeOffset(delivered.AcceptedAt, TimeSpan.Zero));
    }

    // An entry that can never be read says nothing about its id: the id counts as not accepted, and the
    // dispatcher's own store decides when the event arrives.
    private static Task LeaveOut(ILogger logger, ConsumeResult<byte[]?, byte[]> record, string error)
    {
        ReplayLog.UnreadableDelivered(logger, record.TopicPartitionOffset.ToString(), error);
        return Task.CompletedTask;
    }

    private sealed record Entry(IReadOnlyList<string> Keys, DateTimeOffset AcceptedAt);
}
