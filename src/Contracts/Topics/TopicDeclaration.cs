namespace Streaming.Contracts;

/// <summary>
/// A topic as its record type defines it: the key of its section under <c>Kafka:Topics</c> and the layout
/// it gets unless configuration says otherwise. Services register the declarations of the topics they
/// read and write; the provisioner and the embedded broker create what was registered, nothing else.
/// </summary>
/// <param name="Key">The configuration key, for example <c>ShopifyWebhooks</c> for <c>Kafka:Topics:ShopifyWebhooks</c>.</param>
/// <param name="CoPartitionGroup">
/// Topics of one group are joined by key, so they must have the same partition count: the start-up
/// refuses a cluster where they differ.
/// </param>
public sealed record TopicDeclaration(
    string Key,
    string DefaultName,
    int DefaultPartitions = 6,
    long? DefaultRetentionMs = null,
    bool Compacted = false,
    string? CoPartitionGroup = null)
{
    /// <summary>Topics keyed by shop and cart token, read together by the enricher.</summary>
    public const string CartGroup = "cart";

    /// <summary>Pinterest events (keyed by shop and event id) and the dispatcher's delivered-id changelog.</summary>
    public const string EventGroup = "pinterest-event";

    public TopicOptions Defaults() => new()
    {
        Name = DefaultName,
        Partitions = DefaultPartitions,
        RetentionMs = DefaultRetentionMs,
        Compacted = Compacted,
    };
}
