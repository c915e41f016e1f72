using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Enricher.Processing;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.Topics;

namespace Streaming.Enricher.Privacy;

/// <summary>
/// Reads the dead-letter topic from its start to where it ends now, keeps the latest letter of each key
/// (what compaction keeps), and finds the letters of a customer or shop. For a redaction each one found
/// is written again under its key and partition with its personal data removed: a webhook keeps its
/// headers and only the identifiers of its body, any other record loses its value; the reason, the
/// source position and the masked error stay, so the letter still says what failed where. The original
/// stays readable until compaction removes it (max.compaction.lag.ms, a day) or it expires (30 days).
/// </summary>
public sealed partial class DeadLetterRedactor(
    KafkaClientFactory clients,
    RecordPublisher publisher,
    AvroSerdes serdes,
    IOptions<TopicsOptions> topics,
    ILogger<DeadLetterRedactor> logger) : IDeadLetterEraser
{
    public const string Marker = "personal data removed on ";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _topic = topics.Value[DeadLetter.KafkaTopic].Name;
    private readonly string _webhooks = topics.Value[ShopifyWebhook.KafkaTopic].Name;
    private readonly string _events = topics.Value[PinterestEvent.KafkaTopic].Name;

    public async Task<PrivacyHolding> EraseAsync(DeadLetterErasure erasure, CancellationToken cancellationToken)
    {
        var request = new ComplianceRequest(
            erasure.Report.Request, erasure.Report.ShopDomain, erasure.Report.RequestId, erasure.CustomerId, erasure.Email, erasure.Phone,
            erasure.OrderIds ?? new HashSet<string>(), erasure.Report.DataRequestId);
        var found = new List<(TopicPartition Partition, byte[] Key, DeadLetter Letter)>();
        foreach (var (partition, key, value) in Latest(cancellationToken))
        {
            var letter = await serdes.DeserializeAsync<DeadLetter>(value, _topic);
            if (!letter.Error.Contains(Marker, StringComparison.Ordinal) && await ConcernsAsync(letter, request))
            {
                found.Add((partition, key, letter));
            }
        }

        if (erasure.Erase)
        {
            var writes = new List<Task>();
            foreach (var (partition, key, letter) in found)
            {
                var redacted = await RedactAsync(letter, $"{request.Topic} {request.RequestId}");
                writes.Add(publisher.PublishRawAsync(partition, key, await serdes.SerializeAsync(redacted, _topic), cancellationToken));
            }

            await Task.WhenAll(writes);
        }

        LogFound(found.Count, request.Topic, erasure.Erase);
        return new PrivacyHolding
        {
            Store = PersonalDataStores.DeadLetters,
            Entries = found.Count,
            Kinds = [.. found.Select(f => KindOf(f.Letter)).Distinct().Order(StringComparer.Ordinal)],
            FirstAt = found.Count > 0 ? found.Min(f => f.Letter.FailedAt) : null,
            LastAt = found.Count > 0 ? found.Max(f => f.Letter.FailedAt) : null,
        };
    }

    private async Task<bool> ConcernsAsync(DeadLetter letter, ComplianceRequest request)
    {
        var shop = letter.Key is { } k ? RecordKeys.ShopOf(System.Text.Encoding.UTF8.GetString(k)) : null;
        if (request.WholeShop)
        {
            return shop == request.ShopDomain || (letter.Value is { } raw && await ShopOfValueAsync(letter, raw) == request.ShopDomain);
        }

        if (letter.Value is not { } value || (shop is not null && shop != request.ShopDomain))
        {
            return false;
        }

        if (letter.SourceTopic == _webhooks && await TryAsync(() => serdes.DeserializeAsync<ShopifyWebhook>(value, _webhooks)) is { } webhook)
        {
            return webhook.ShopDomain == request.ShopDomain && (BodyIsCustomers(webhook.Body, request) || request.IsMentionedIn(webhook.Body));
        }

        if (letter.SourceTopic == _events && await TryAsync(() => serdes.DeserializeAsync<PinterestEvent>(value, _events)) is { } pinterestEvent)
        {
            return pinterestEvent.ShopDomain == request.ShopDomain
                   && (request.OrderIds.Contains(pinterestEvent.CustomData.OrderId ?? "") || request.OrderIds.Contains(pinterestEvent.EventId) || request.IsMentionedIn(value));
        }

        return request.IsMentionedIn(value);
    }

    private async Task<string?> ShopOfValueAsync(DeadLetter letter, byte[] value) =>
        letter.SourceTopic == _webhooks ? (await TryAsync(() => serdes.DeserializeAsync<ShopifyWebhook>(value, _webhooks)))?.ShopDomain
        : letter.SourceTopic == _events ? (await TryAsync(() => serdes.DeserializeAsync<PinterestEvent>(value, _events)))?.ShopDomain
        : null;

    private async Task<DeadLetter> RedactAsync(DeadLetter letter, string request)
    {
        byte[]? value = null;
        if (letter.SourceTopic == _webhooks && letter.Value is { } raw && await TryAsync(() => serdes.DeserializeAsync<ShopifyWebhook>(raw, _webhooks)) is { } webhook)
        {
            webhook.Body = Identifiers(webhook.Body);
            value = await serdes.SerializeAsync(webhook, _webhooks);
        }

        return new DeadLetter
        {
            SourceTopic = letter.SourceTopic,
            SourcePartition = letter.SourcePartition,
            SourceOffset = letter.SourceOffset,
            Key = letter.Key,
            Value = value,
            Service = letter.Service,
            Reason = letter.Reason,
            Error = $"{PersonalDataMask.Apply(letter.Error)} ({Marker}{request})",
            FailedAt = letter.FailedAt,
        };
    }

    private string KindOf(DeadLetter letter) =>
        letter.SourceTopic == _webhooks ? PersonalDataStores.Kinds.OrderBody
        : letter.SourceTopic == _events ? PersonalDataStores.Kinds.PinterestEvent
        : PersonalDataStores.Kinds.StorefrontEvent;

    /// <summary>The latest record of each key from the start of every partition to its end as of now.</summary>
    private List<(TopicPartition Partition, byte[] Key, byte[] Value)> Latest(CancellationToken cancellationToken)
    {
        var config = clients.ConsumerConfig("enricher-privacy", $"enricher-privacy-{Guid.NewGuid():N}");
        config.EnableAutoCommit = false;
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config).Build();
        using var admin = clients.CreateAdminClient("enricher-privacy");
        var partitions = admin.GetMetadata(_topic, Timeout).Topics.Single().Partitions.Select(p => new TopicPartition(_topic, p.PartitionId)).ToList();
        var ends = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, Timeout));
        var open = ends.Where(e => e.Value.High > e.Value.Low).Select(e => e.Key).ToHashSet();
        consumer.Assign(open.Select(p => new TopicPartitionOffset(p, ends[p].Low)));
        var latest = new Dictionary<(int, string), (TopicPartition, byte[], byte[]?)>();
        var deadline = DateTime.UtcNow + Timeout;
        while (open.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The dead-letter topic {_topic} was not read to its end within {Timeout.TotalSeconds} s.");
            }

            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } record)
            {
                continue;
            }

            if (record.Message.Key is { } key)
            {
                latest[(record.Partition.Value, Convert.ToBase64String(key))] = (record.TopicPartition, key, record.Message.Value);
            }

            if (record.Offset.Value >= ends[record.TopicPartition].High - 1)
            {
                open.Remove(record.TopicPartition);
            }
        }

        return latest.Values.Where(v => v.Item3 is not null).Select(v => (v.Item1, v.Item2, v.Item3!)).ToList();
    }

    private static bool BodyIsCustomers(byte[] body, ComplianceRequest request)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return request.IsCustomers(document.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>What identifies the record and nothing about the shopper: ids and tokens of the body.</summary>
    private static byte[] Identifiers(byte[] body)
    {
        var kept = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    // Only ids and tokens, and only as long as they look like one: a poison record may
                    // hold anything where an id should be.
                    if (property.Name is "id" or "token" or "cart_token" or "checkout_token" or "order_number"
                        && property.Value.ValueKind is JsonValueKind.Number or JsonValueKind.String
                        && PersonalDataMask.Apply(property.Value.ToString()) == property.Value.ToString())
                    {
                        kept[property.Name] = property.Value.Clone();
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: nothing in it can be told apart from personal data.
        }

        return JsonSerializer.SerializeToUtf8Bytes(kept);
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> decode)
        where T : class
    {
        try
        {
            return await decode();
        }
        catch (Exception e) when (AvroSerdes.IsUndecodable(e))
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead letters: {Count} found for {Request} (redacted: {Erased})")]
    private partial void LogFound(int count, string request, bool erased);
}
