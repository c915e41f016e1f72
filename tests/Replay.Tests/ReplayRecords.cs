using System.Globalization;
using System.Text;

namespace Streaming.Replay.Tests;

/// <summary>Raw records as the pipeline stores them, for the tool to read again.</summary>
public static class ReplayRecords
{
    /// <summary>
    /// The sample web order as an orders/create record of the test shop, with its own id, cart and time
    /// and no checkout token. <paramref name="sourceName"/> and <paramref name="landingSite"/> replace the
    /// sample's where given.
    /// </summary>
    public static ShopifyWebhook Order(string id, string cartToken, DateTimeOffset createdAt, string? sourceName = null, string? landingSite = null)
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!.AsObject();
        order["id"] = JsonNode.Parse(id);
        order["cart_token"] = cartToken;
        order["checkout_token"] = null;
        order["created_at"] = createdAt.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        order["processed_at"] = order["created_at"]!.DeepClone();
        if (sourceName is not null)
        {
            order["source_name"] = sourceName;
        }

        if (landingSite is not null)
        {
            order["landing_site"] = landingSite;
        }

        order.Remove("note_attributes");
        return new ShopifyWebhook
        {
            WebhookId = $"webhook-{id}",
            Topic = "orders/create",
            ShopDomain = TestSettings.Shop,
            ReceivedAt = createdAt.UtcDateTime,
            Body = Encoding.UTF8.GetBytes(order.ToJsonString()),
        };
    }
}
