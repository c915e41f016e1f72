using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Streaming.Platform.Shops;
using Streaming.Records;
using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher.Orders;

/// <summary>
/// Maps an <c>orders/create</c> webhook of an online-store order to a Pinterest <c>checkout</c> event.
/// </summary>
/// <remarks>
/// The event id is the order id: the storefront tag knows it on the thank-you page
/// (the numeric tail of <c>checkout.order.id</c>, a <c>gid://shopify/OrderIdentity/</c> id), so both
/// sides can send the same id and Pinterest counts the purchase once. Input is checked before anything
/// is forwarded: a field that fails makes the order unmappable (a dead letter with the reason), never an
/// event with a value Pinterest or a report would take at face value.
/// </remarks>
public static partial class CheckoutEventMapper
{
    public const string OrdersCreate = "orders/create";

    // Shopify began in 2006; an order stamped earlier, or more than a day ahead, is not a real time.
    private static readonly DateTimeOffset Earliest = new(2006, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static OrderMapping Map(ShopifyWebhook webhook, ShopOptions shop, TimeProvider? clock = null)
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

            var orderId = Id(order);
            var eventTime = EventTime(order, orderId, (clock ?? TimeProvider.System).GetUtcNow());
            var userData = OrderUserData.From(order);
            if (userData.Em.Count == 0 && (userData.ClientIpAddress is null || userData.ClientUserAgent is null))
            {
                // Pinterest refuses an event it cannot match: it needs an e-mail, or IP and user agent together.
                return OrderMapping.Skipped("no_match_key");
            }

            var (currency, value) = Money(order, orderId);
            var (contentIds, numItems) = Items(order);
            return OrderMapping.Mapped(new PinterestEvent
            {
                ShopDomain = webhook.ShopDomain,
                EventName = "checkout",
                ActionSource = "web",
                EventTime = eventTime.ToUnixTimeSeconds(),
                EventId = orderId,
                UserData = userData,
                CustomData = new PinterestCustomData
                {
                    Currency = currency,
                    Value = value,
                    OrderId = orderId,
                    ContentIds = contentIds,
                    NumItems = numItems,
                },
                SourceWebhookId = webhook.WebhookId,
            });
        }
    }

    /// <summary>A positive integer of at most 19 digits (a signed 64-bit id), kept as written: above 2^53 a double would round it.</summary>
    private static string Id(JsonElement order)
    {
        if (!order.TryGetProperty("id", out var id))
        {
            throw new UnmappableWebhookException("The order has no id.");
        }

        var text = id.ValueKind switch
        {
            JsonValueKind.Number => id.GetRawText(),
            JsonValueKind.String => id.GetString() ?? "",
            _ => "",
        };
        return PositiveId().IsMatch(text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? text
            : throw new UnmappableWebhookException($"The order id {Quote(id.GetRawText())} is not a positive whole number of at most 19 digits.");
    }

    private static DateTimeOffset EventTime(JsonElement order, string orderId, DateTimeOffset now)
    {
        var createdAt = Text(order, "created_at") ?? Text(order, "processed_at")
            ?? throw new UnmappableWebhookException($"Order {orderId} has neither created_at nor processed_at.");
        if (!DateTimeOffset.TryParse(createdAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            throw new UnmappableWebhookException($"Order {orderId} has created_at {Quote(createdAt)}, which is not a date and time.");
        }

        return time >= Earliest && time <= now.AddDays(1)
            ? time
            : throw new UnmappableWebhookException($"Order {orderId} has created_at {Quote(createdAt)}, which is not a plausible order time.");
    }

    /// <summary>
    /// What the shopper paid, in the currency they paid in (presentment money): Pinterest's advice is the
    /// value after discounts, before shipping and tax, which is Shopify's subtotal.
    /// </summary>
    private static (string? Currency, string? Value) Money(JsonElement order, string orderId)
    {
        // Without presentment money (older payloads), the shop's currency with the shop's amount: never one
        // currency with the other's amount.
        var (currency, amount) = order.TryGetProperty("subtotal_price_set", out var set) && set.ValueKind == JsonValueKind.Object
                                 && set.TryGetProperty("presentment_money", out var money) && money.ValueKind == JsonValueKind.Object
                                 && money.TryGetProperty("amount", out var presented)
            ? (Text(money, "currency_code"), presented)
            : (Text(order, "currency"), order.TryGetProperty("subtotal_price", out var subtotal) ? subtotal : (JsonElement?)null);
        if (currency is not null && !CurrencyCode().IsMatch(currency))
        {
            throw new UnmappableWebhookException($"Order {orderId} has currency {Quote(currency)}, which is not an ISO 4217 code.");
        }

        return (currency, amount is { } value ? Amount(value, orderId) : null);
    }

    private static string? Amount(JsonElement value, string orderId)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return text is not null && Decimal().IsMatch(text) && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            ? amount.ToString(CultureInfo.InvariantCulture)
            : throw new UnmappableWebhookException($"Order {orderId} has the amount {Quote(value.GetRawText())}, which is not an amount (a decimal number).");
    }

    /// <summary>Variant ids (product ids for items without a variant) and the number of items.</summary>
    private static (List<string> ContentIds, long? NumItems) Items(JsonElement order)
    {
        if (!order.TryGetProperty("line_items", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return ([], null);
        }

        var ids = new List<string>();
        long count = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if ((OrderJson.Id(item, "variant_id") ?? OrderJson.Id(item, "product_id")) is { } id && !ids.Contains(id))
            {
                ids.Add(id);
            }

            if (item.TryGetProperty("quantity", out var quantity) && quantity.TryGetInt64(out var q) && q > 0)
            {
                count += q;
            }
        }

        return (ids, count > 0 ? count : null);
    }

    // Error messages quote input: short, so a 300-character value cannot flood a dead letter.
    private static string Quote(string text) => text.Length <= 40 ? $"'{text}'" : $"'{text[..40]}…' ({text.Length} characters)";

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();

    [GeneratedRegex(@"^[0-9]{1,15}(\.[0-9]{1,6})?$")]
    private static partial Regex Decimal();
}
