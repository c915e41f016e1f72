using System.Text.Json;
using System.Text.Json.Nodes;

namespace Streaming.Replay.Backfill;

/// <summary>
/// An order as the Admin GraphQL API gives it, rewritten in the shape of an <c>orders/create</c> webhook
/// body (REST field names), so that the enricher maps it with the same code as a live order. What
/// GraphQL does not have stays out: the browser's user agent (REST's <c>client_details.user_agent</c>)
/// has no GraphQL field, so a backfilled order matches on e-mail, address and IP, not on the user agent.
/// </summary>
public static class AdminOrderBody
{
    public static byte[] From(JsonObject order)
    {
        var clientIp = Text(order["clientIp"]);
        var body = new JsonObject
        {
            ["id"] = Id(order["legacyResourceId"]),
            ["name"] = Text(order["name"]),
            ["email"] = Text(order["email"]),
            ["phone"] = Text(order["phone"]),
            ["created_at"] = Text(order["createdAt"]),
            ["processed_at"] = Text(order["processedAt"]),
            ["updated_at"] = Text(order["updatedAt"]),
            ["cancelled_at"] = Text(order["cancelledAt"]),
            ["test"] = order["test"]?.DeepClone(),
            ["source_name"] = Text(order["sourceName"]),
            ["cart_token"] = Text(order["cartToken"]),
            ["checkout_token"] = Text(order["checkoutToken"]),
            ["browser_ip"] = clientIp,
            ["client_details"] = clientIp is null ? null : new JsonObject { ["browser_ip"] = clientIp, ["user_agent"] = null },
            ["landing_site"] = Text(order["customerJourneySummary"]?["firstVisit"]?["landingPage"]),
            ["order_status_url"] = Text(order["statusPageUrl"]),
            ["note_attributes"] = new JsonArray([.. (order["customAttributes"] as JsonArray ?? [])
                .Select(a => (JsonNode)new JsonObject { ["name"] = Text(a?["key"]), ["value"] = Text(a?["value"]) })]),
            ["currency"] = Text(order["currencyCode"]),
            ["presentment_currency"] = Text(order["presentmentCurrencyCode"]),
            ["subtotal_price"] = Text(order["subtotalPriceSet"]?["shopMoney"]?["amount"]),
            ["subtotal_price_set"] = MoneySet(order["subtotalPriceSet"]),
            ["total_price"] = Text(order["totalPriceSet"]?["shopMoney"]?["amount"]),
            ["total_price_set"] = MoneySet(order["totalPriceSet"]),
            ["customer"] = order["customer"] is JsonObject customer
                ? new JsonObject
                {
                    ["id"] = Id(customer["legacyResourceId"]),
                    ["email"] = Text(customer["email"]),
                    ["phone"] = Text(customer["phone"]),
                    ["first_name"] = Text(customer["firstName"]),
                    ["last_name"] = Text(customer["lastName"]),
                }
                : null,
            ["billing_address"] = Address(order["billingAddress"]),
            ["shipping_address"] = Address(order["shippingAddress"]),
            ["line_items"] = new JsonArray([.. (order["lineItems"]?["nodes"] as JsonArray ?? []).Select(LineItem)]),
        };
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private static JsonNode LineItem(JsonNode? item) => new JsonObject
    {
        ["product_id"] = Id(item?["product"]?["legacyResourceId"]),
        ["variant_id"] = Id(item?["variant"]?["legacyResourceId"]),
        ["quantity"] = item?["quantity"]?.DeepClone(),
        ["title"] = Text(item?["title"]),
        ["vendor"] = Text(item?["vendor"]),
        ["price"] = Text(item?["originalUnitPriceSet"]?["shopMoney"]?["amount"]),
        ["price_set"] = MoneySet(item?["originalUnitPriceSet"]),
    };

    private static JsonObject? Address(JsonNode? address) => address is JsonObject a
        ? new JsonObject
        {
            ["first_name"] = Text(a["firstName"]),
            ["last_name"] = Text(a["lastName"]),
            ["city"] = Text(a["city"]),
            ["province_code"] = Text(a["provinceCode"]),
            ["zip"] = Text(a["zip"]),
            ["country_code"] = Text(a["countryCodeV2"]),
            ["phone"] = Text(a["phone"]),
        }
        : null;

    private static JsonObject? MoneySet(JsonNode? set) => set is JsonObject s
        ? new JsonObject { ["shop_money"] = Money(s["shopMoney"]), ["presentment_money"] = Money(s["presentmentMoney"]) }
        : null;

    private static JsonObject? Money(JsonNode? money) => money is JsonObject m
        ? new JsonObject { ["amount"] = Text(m["amount"]), ["currency_code"] = Text(m["currencyCode"]) }
        : null;

    /// <summary>
    /// A legacyResourceId (an unsigned 64-bit id as a string) as the JSON number the webhook has, written
    /// from its digits so that an id above 2^53 stays exact.
    /// </summary>
    private static JsonNode? Id(JsonNode? id) =>
        Text(id) is { } digits && digits.Length is > 0 and <= 20 && digits.All(char.IsAsciiDigit)
            ? JsonNode.Parse(digits)
            : null;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
