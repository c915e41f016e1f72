namespace Streaming.Ingest.Webhooks;

/// <summary>The X-Shopify-* headers of one delivery. Names are case-insensitive: HTTP/2 lowercases them.</summary>
internal sealed record WebhookHeaders(
    string? Hmac,
    string? Topic,
    string? ShopDomain,
    string? WebhookId,
    string? ApiVersion,
    string? EventId,
    string? TriggeredAt,
    Dictionary<string, string> All)
{
    private const string Prefix = "x-shopify-";

    public static WebhookHeaders Read(IHeaderDictionary headers)
    {
        var all = headers
            .Where(h => h.Key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        return new WebhookHeaders(
            Value(headers, "X-Shopify-Hmac-Sha256"),
            Value(headers, "X-Shopify-Topic"),
            Value(headers, "X-Shopify-Shop-Domain"),
            Value(headers, "X-Shopify-Webhook-Id"),
            Value(headers, "X-Shopify-API-Version"),
            Value(headers, "X-Shopify-Event-Id"),
            Value(headers, "X-Shopify-Triggered-At"),
            all);
    }

    /// <summary>The first header this delivery lacks but needs, or null.</summary>
    public string? FirstMissing() =>
        Topic is null ? "X-Shopify-Topic"
        : ShopDomain is null ? "X-Shopify-Shop-Domain"
        : WebhookId is null ? "X-Shopify-Webhook-Id"
        : null;

    private static string? Value(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value.ToString())
            ? value.ToString().Trim()
            : null;
}
