using System.Globalization;
using System.Text.RegularExpressions;
using Streaming.Enricher.Stitching;
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
    public const string OrdersCreate = ShopifyTopics.OrdersCreate;

    /// <summary>The Pinterest event an order becomes.</summary>
    public const string EventName = PinterestEventNames.Checkout;

    public static OrderMapping Map(ShopifyWebhook webhook, EnricherShop shop, Session? session = null, TimeProvider? clock = null)
    {
        if (webhook.Topic != OrdersCreate)
        {
            return OrderMapping.Skipped(SkipReasons.TopicNotMapped);
        }

        using var document = Parse(webhook);
        return Map(webhook, document.RootElement, shop, session, clock);
    }

    /// <summary>As <see cref="Map(ShopifyWebhook, EnricherShop, Session?, TimeProvider?)"/>, for a body already parsed.</summary>
    public static OrderMapping Map(ShopifyWebhook webhook, JsonElement order, EnricherShop shop, Session? session, TimeProvider? clock)
    {
        if (Exclusion(order, shop) is { } reason)
        {
            return OrderMapping.Skipped(reason);
        }

        var (stitched, skipped) = SessionStitcher.Stitch(Draft(webhook, order, shop, clock), session, shop.Events);
        return stitched is not null ? OrderMapping.Mapped(stitched) : OrderMapping.Skipped(skipped!);
    }

    /// <summary>
    /// The checkout event of an order that is no exclusion, with what the order itself carries and no
    /// session yet (<see cref="SessionStitcher"/> adds it). Throws what makes the order unmappable.
    /// </summary>
    public static PinterestEvent Draft(ShopifyWebhook webhook, JsonElement order, EnricherShop shop, TimeProvider? clock)
    {
        var orderId = Id(order);
        var eventTime = EventTime(order, orderId, (clock ?? TimeProvider.System).GetUtcNow());
        var (currency, value) = Money(order, orderId, shop.Events.CheckoutValue);
        var (contentIds, contents, numItems) = Items(order, orderId);
        return new PinterestEvent
        {
            ShopDomain = webhook.ShopDomain,
            EventName = EventName,
            ActionSource = "web",
            EventTime = eventTime.ToUnixTimeSeconds(),
            EventId = EventIds.Checkout(orderId),
            UserData = OrderUserData.From(order),
            CustomData = new PinterestCustomData
            {
                Currency = currency,
                Value = value,
                OrderId = orderId,
                ContentIds = contentIds,
                Contents = contents,
                NumItems = numItems,
            },
            SourceWebhookId = webhook.WebhookId,
            Replay = webhook.BackfillRun is { } run ? $"backfill/{run}" : null,
            EventSourceUrl = Text(order, "order_status_url"),
        };
    }

    /// <summary>The body as a JSON object; throws what makes the webhook unmappable otherwise.</summary>
    public static JsonDocument Parse(ShopifyWebhook webhook)
    {
        // JSON text with broken UTF-8 inside a string parses, and fails only when that string is read.
        if (!System.Text.Unicode.Utf8.IsValid(webhook.Body))
        {
            throw new UnmappableWebhookException($"The {webhook.Topic} body is not valid UTF-8.");
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

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind;
            document.Dispose();
            throw new UnmappableWebhookException($"The {webhook.Topic} body is a JSON {kind}, not an object.");
        }

        return document;
    }

    /// <summary>
    /// Why an order is no ad conversion: POS, draft and other channels' orders never had a browser
    /// session; renewals and test orders are left out unless the shop says otherwise.
    /// </summary>
    public static string? Exclusion(JsonElement order, EnricherShop shop)
    {
        var exclusion = Text(order, "source_name") switch
        {
            "web" => null,
            "pos" => SkipReasons.PointOfSale,
            "shopify_draft_order" => SkipReasons.DraftOrder,
            "subscription_contract" => shop.Events.SendSubscriptionRenewals ? null : SkipReasons.SubscriptionRenewal,
            _ => SkipReasons.OtherChannel,
        };
        return exclusion ?? (order.TryGetProperty("test", out var test) && test.ValueKind == JsonValueKind.True
                                 && !shop.Pinterest.TestMode && !shop.Events.SendTestOrders
            ? SkipReasons.TestOrder
            : null);
    }

    /// <summary>The order id, checked: what the already-sent set and the waiting room key on.</summary>
    public static string OrderId(JsonElement order) => Id(order);

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
        if (!DateTimeOffset.TryParse(createdAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            throw new UnmappableWebhookException($"Order {orderId} has created_at {Quote(createdAt)}, which is not a date and time.");
        }

        return PlausibleTime(createdAt, now)
               ?? throw new UnmappableWebhookException($"Order {orderId} has created_at {Quote(createdAt)}, which is not a plausible order time.");
    }

    /// <summary>
    /// What the shopper paid, in the currency they paid in (presentment money): Pinterest's advice is the
    /// value after discounts, before shipping and tax, which is Shopify's subtotal.
    /// </summary>
    private static (string? Currency, string? Value) Money(JsonElement order, string orderId, CheckoutValue basis)
    {
        var field = basis == CheckoutValue.Total ? "total_price" : "subtotal_price";
        // Without presentment money (older payloads), the shop's currency with the shop's amount: never one
        // currency with the other's amount.
        var (currency, amount) = order.TryGetProperty(field + "_set", out var set) && set.ValueKind == JsonValueKind.Object
                                 && set.TryGetProperty("presentment_money", out var money) && money.ValueKind == JsonValueKind.Object
                                 && money.TryGetProperty("amount", out var presented)
            ? (Text(money, "currency_code"), presented)
            : (Text(order, "currency"), order.TryGetProperty(field, out var shopAmount) ? shopAmount : (JsonElement?)null);
        if (currency is not null && !CurrencyCode().IsMatch(currency))
        {
            throw new UnmappableWebhookException($"Order {orderId} has currency {Quote(currency)}, which is not an ISO 4217 code.");
        }

        return (currency, Amount(amount, $"Order {orderId}"));
    }

    /// <summary>Variant ids (product ids for items without a variant), Pinterest's contents, and the number of items.</summary>
    private static (List<string> ContentIds, List<PinterestContent> Contents, long? NumItems) Items(JsonElement order, string orderId)
    {
        var ids = new List<string>();
        var contents = new List<PinterestContent>();
        long count = 0;
        foreach (var item in Objects(order, "line_items"))
        {
            var quantity = item.TryGetProperty("quantity", out var q) && q.TryGetInt64(out var n) && n > 0 ? n : (long?)null;
            count += quantity ?? 0;
            if ((OrderJson.Id(item, "variant_id") ?? OrderJson.Id(item, "product_id")) is not { } id)
            {
                continue;
            }

            if (!ids.Contains(id))
            {
                ids.Add(id);
            }

            // The unit price before discounts, in the currency the shopper paid in where Shopify says it.
            var price = Property(Object(Object(item, "price_set"), "presentment_money"), "amount") ?? Property(item, "price");
            contents.Add(new PinterestContent
            {
                Id = id,
                ItemPrice = Amount(price, $"Order {orderId}"),
                Quantity = quantity,
                ItemName = Text(item, "title"),
                ItemBrand = Text(item, "vendor"),
            });
        }

        return (ids, contents, count > 0 ? count : null);
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();
}
