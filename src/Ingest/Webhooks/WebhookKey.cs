using Streaming.Contracts;

namespace Streaming.Ingest.Webhooks;

/// <summary>
/// The Kafka key of a webhook: <c>&lt;shop&gt;/&lt;cart token&gt;</c>, so that a cart's webhooks, its
/// checkouts, its order and its storefront events (keyed the same way) land on one partition number and
/// meet in one enricher. What has no cart (POS, draft and API orders, some checkouts) is keyed by its own id.
/// </summary>
internal static class WebhookKey
{
    public static string For(string shopDomain, string topic, WebhookBody body, string webhookId)
    {
        var resource = topic.AsSpan(0, Math.Max(0, topic.IndexOf('/', StringComparison.Ordinal)));
        var cart = resource switch
        {
            "carts" => body.Token ?? body.Id,
            _ => body.CartToken,
        };
        var own = resource switch
        {
            "checkouts" or "carts" => body.Token ?? body.Id,
            _ => body.Id ?? body.Token,
        };
        return RecordKeys.Cart(shopDomain, cart ?? own ?? webhookId);
    }
}
