using System.ComponentModel.DataAnnotations;

namespace Streaming.Ingest;

/// <summary>The <c>Ingest</c> configuration section.</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

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
}
