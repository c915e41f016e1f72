using System.Text;
using Streaming.Contracts;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Records;
using Streaming.Replay.Kafka;

namespace Streaming.Replay.Sending;

/// <summary>
/// The event ids Pinterest accepted, per ad account, as the dispatcher's delivered-id changelog holds
/// them (the latest value per key wins; a tombstone or an entry past the retention is no longer
/// accepted). Only the ad accounts of the selected shops are kept. The dispatcher's store still decides
/// when the events arrive; this lets the tool say what would be skipped, and not write it at all.
/// </summary>
public sealed class AcceptedEvents
{
    private readonly HashSet<string> _keys;

    private AcceptedEvents(HashSet<string> keys) => _keys = keys;

    public int Count => _keys.Count;

    public bool Contains(string adAccountId, string eventId) => _keys.Contains(Key(adAccountId, eventId));

    public static string Key(string adAccountId, string eventId) => RecordKeys.Delivered(adAccountId, eventId);

    public static async Task<AcceptedEvents> LoadAsync(
        KafkaClientFactory clients,
        StartOffsets offsets,
        AvroSerdes serdes,
        string changelogTopic,
        IReadOnlySet<string> adAccounts,
        DateTimeOffset acceptedSince,
        CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, bool>(StringComparer.Ordinal);
        using var reader = new BoundedReader(clients, offsets.Find(changelogTopic, DateTimeOffset.UnixEpoch, cancellationToken));
        for (var batch = reader.Next(5_000, cancellationToken); batch.Count > 0; batch = reader.Next(5_000, cancellationToken))
        {
            foreach (var record in batch)
            {
                if (record.Message.Key is not { } keyBytes)
                {
                    continue;
                }

                var key = Encoding.UTF8.GetString(keyBytes);
                var slash = key.IndexOf('/', StringComparison.Ordinal);
                if (slash <= 0 || !adAccounts.Contains(key[..slash]))
                {
                    continue;
                }

                var live = record.Message.Value is { Length: > 0 } value
                    && new DateTimeOffset((await serdes.DeserializeAsync<DeliveredEvent>(value, changelogTopic).ConfigureAwait(false)).AcceptedAt, TimeSpan.Zero) >= acceptedSince;
                latest[key] = live;
            }
        }

        return new AcceptedEvents(latest.Where(e => e.Value).Select(e => e.Key).ToHashSet(StringComparer.Ordinal));
    }
}
