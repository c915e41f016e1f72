using System.ComponentModel.DataAnnotations;

namespace Streaming.Ingest;

/// <summary>The <c>Ingest</c> configuration section: the webhook endpoint and what every request may hold.</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>The webhook topics written to Kafka. Any other topic is answered 200 and counted, so Shopify does not retry it.</summary>
    public static readonly IReadOnlyList<string> DefaultWrittenTopics = Contracts.ShopifyTopics.Written;

    /// <summary>
    /// Largest webhook body accepted. The default stays under Kafka's default 1 MB record limit with room
    /// for the headers; raise it only together with the producer's <c>message.max.bytes</c>
    /// (<c>Kafka:Client:message.max.bytes</c>) and the topic's <c>max.message.bytes</c>.
    /// </summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 900_000;

    /// <summary>
    /// How long a request waits for Kafka's acknowledgement before it answers 503. Shopify gives up after
    /// 5 s in all, so the default leaves a second to spare.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Webhook topics written to Kafka (default: the nine the enricher maps). Empty in configuration: the default.</summary>
    public List<string> WrittenTopics { get; set; } = [];

    /// <summary>A delivery id seen again within this time is answered 200 without a second record.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most delivery ids remembered for <see cref="DuplicateWindow"/>; the oldest are forgotten first.</summary>
    [Range(1, 10_000_000)]
    public int MaxRememberedDeliveries { get; set; } = 100_000;

    /// <summary>A delivery whose X-Shopify-Triggered-At is older than this is refused (a replayed request).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan MaxDeliveryAge { get; set; } = TimeSpan.FromHours(48);

    /// <summary>A delivery whose X-Shopify-Triggered-At lies further ahead than this is refused.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a request may take to send its headers and its body. Shopify gives up after 5 s, so a
    /// slower sender is not Shopify; its connection is answered 408 and closed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan BodyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most open connections Kestrel keeps; more wait in the listen queue.</summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrentConnections { get; set; } = 2_000;

    /// <summary>
    /// Bytes of request bodies held at once across all requests, before anyone is verified. Over it a
    /// request gets 503 with Retry-After instead of memory.
    /// </summary>
    [Range(64 * 1024, 4L * 1024 * 1024 * 1024)]
    public long MaxBytesInFlight { get; set; } = 64L * 1024 * 1024;

    public IReadOnlyCollection<string> EffectiveWrittenTopics => WrittenTopics.Count > 0 ? WrittenTopics : DefaultWrittenTopics;
}
