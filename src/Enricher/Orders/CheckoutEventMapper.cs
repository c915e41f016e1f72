using System.Globalization;
using System.Text.Json;
using Streaming.Enricher.Hashing;
using Streaming.Platform.Shops;
using Streaming.Records;

namespace Streaming.Enricher.Orders;

/// <summary>
/// Maps an <c>orders/create</c> webhook of an online-store order to a Pinterest <c>checkout</c> event.
/// </summary>
/// <remarks>
/// The event id is the order id: the storefront tag knows it on the thank-you page
/// (the numeric tail of <c>checkout.order.id</c>, a <c>gid://shopify/OrderIdentity/</c> id), so both
/// sides can send the same id and Pinterest counts the purchase once.
/// </remarks>
public static class CheckoutEventMapper
{
    public const string OrdersCreate = "orders/create";

    public static OrderMapping Map(ShopifyWebhook webhook, ShopOptions shop)
    {
        if (webhook.Topic != OrdersCreate)
        {
            return OrderMapping.Skipped("topic_not_mapped");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(webhook.Body);
        }
        catch (JsonException e)
        {
            throw new UnmappableWebhookException($"The {webhook.Topic} body is not JSON: {e.Message}", e);
        }

        using (document)
        {
            var order = document.RootElement;
            if (order.ValueKind != JsonValueKind.Object)
            {
                throw new UnmappableWebhookException($"The {webhook.Topic} body is a JSON {order.ValueKind}, not an order object.");
            }

            // POS, draft, subscription and API orders never had a browser session: not ad conversions.
            if (Text(order, "source_name") != "web")
            {
                return OrderMapping.Skipped("not_web_order");
            }

            if (order.TryGetProperty("test", out var test) && test.ValueKind == JsonValueKind.True && !shop.Pinterest.TestMode)
            {
                return OrderMapping.Skipped("test_order");
            }

            var orderId = Id(order) ?? throw new UnmappableWebhookException("The order has no id.");
            var createdAt = Text(order, "created_at") ?? Text(order, "processed_at")
                ?? throw new UnmappableWebhookException($"Order {orderId} has neither created_at nor processed_at.");
            if (!DateTimeOffset.TryParse(createdAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var eventTime))
            {
                throw new UnmappableWebhookException($"Order {orderId} has created_at '{createdAt}', which is not a date and time.");
            }

            var emails = CustomerDataHasher.HashEmails(
                Text(order, "email"),
                Text(order, "contact_email"),
                order.TryGetProperty("customer", out var customer) && customer.ValueKind == JsonValueKind.Object ? Text(customer, "email") : null);
            if (emails.Count == 0)
            {
                // Pinterest refuses an event it cannot match (no e-mail, and IP with user agent come later).
                return OrderMapping.Skipped("no_match_key");
            }

            return OrderMapping.Mapped(new PinterestEvent
            {
                ShopDomain = webhook.ShopDomain,
                EventName = "checkout",
                ActionSource = "web",
                EventTime = eventTime.ToUnixTimeSeconds(),
                EventId = orderId,
                UserData = new PinterestUserData { Em = emails },
                CustomData = new PinterestCustomData
                {
                    Currency = Text(order, "currency"),
                    // Pinterest asks for the pre-tax, pre-shipping value. Shopify's subtotal is after discounts and
                    // before shipping; it holds tax only in shops whose prices include tax (taxes_included).
                    Value = Amount(order, "subtotal_price", orderId),
                    OrderId = orderId,
                },
                SourceWebhookId = webhook.WebhookId,
            });
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    // Order ids pass 2^53: read the digits as they are, never through a double.
    private static string? Id(JsonElement order) =>
        order.TryGetProperty("id", out var id) ? id.ValueKind switch
        {
            JsonValueKind.Number => id.GetRawText(),
            JsonValueKind.String when !string.IsNullOrWhiteSpace(id.GetString()) => id.GetString(),
            _ => null,
        } : null;

    private static string? Amount(JsonElement order, string name, string orderId)
    {
        if (!order.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount)
            ? amount.ToString(CultureInfo.InvariantCulture)
            : throw new UnmappableWebhookException($"Order {orderId} has {name} '{value.GetRawText()}', which is not an amount.");
    }
}
