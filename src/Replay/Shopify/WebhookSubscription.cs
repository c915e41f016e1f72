namespace Streaming.Replay.Shopify;

/// <summary>One of the app's webhook subscriptions on a shop, as the Admin GraphQL API lists it.</summary>
/// <param name="Id">Its global id, <c>gid://shopify/WebhookSubscription/…</c>.</param>
/// <param name="Topic">The GraphQL enum value, for example <c>ORDERS_CREATE</c>.</param>
/// <param name="Uri">Where Shopify delivers: an https URL for Ingest (or a Pub/Sub or EventBridge address).</param>
/// <param name="ApiVersion">The version its payloads are serialized in: the app's, not the subscription's own.</param>
public sealed record WebhookSubscription(string Id, string Topic, string Uri, string Format, string? ApiVersion)
{
    /// <summary>Shopify's <c>orders/create</c> as its GraphQL enum value <c>ORDERS_CREATE</c>.</summary>
    public static string EnumOf(string topic) => topic.Replace('/', '_').ToUpperInvariant();

    /// <summary>The enum value as a header topic, for reading: the last underscore was the slash.</summary>
    public static string TopicOf(string enumValue)
    {
        var lower = enumValue.ToLowerInvariant();
        var slash = lower.LastIndexOf('_');
        return slash < 0 ? lower : $"{lower[..slash]}/{lower[(slash + 1)..]}";
    }
}
