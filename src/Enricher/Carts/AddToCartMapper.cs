using System.Globalization;
using Streaming.Enricher.Orders;
using Streaming.Enricher.Sessions;
using Streaming.Enricher.Stitching;
using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher.Carts;

/// <summary>
/// Turns a cart webhook into <c>add_to_cart</c> events: Shopify sends the whole cart each time, so the
/// events are the difference to the cart's last known contents, one per variant whose quantity rose.
/// </summary>
public static class AddToCartMapper
{
    /// <summary>The Pinterest event an item added to a cart becomes.</summary>
    public const string EventName = PinterestEventNames.AddToCart;

    public static bool IsCartTopic(string topic) => topic is "carts/create" or "carts/update";

    /// <summary>The cart's token (its id) and its lines, one per variant with quantities added up.</summary>
    public static (string CartToken, List<CartLine> Lines) Read(JsonElement cart)
    {
        var token = Text(cart, "token") ?? Text(cart, "id")
                    ?? throw new UnmappableWebhookException("The cart has neither a token nor an id.");
        var lines = new List<CartLine>();
        foreach (var item in Objects(cart, "line_items"))
        {
            if (VariantOf(item) is not { } variant || !item.TryGetProperty("quantity", out var q) || !q.TryGetInt64(out var quantity) || quantity < 0)
            {
                continue;
            }

            if (lines.Find(l => l.VariantId == variant) is { } line)
            {
                line.Quantity += quantity;
            }
            else
            {
                lines.Add(new CartLine { VariantId = variant, Quantity = quantity });
            }
        }

        return (token, lines);
    }

    /// <summary>
    /// The events for what was added since <paramref name="before"/>, stitched to the session; the pixel
    /// event ids they take are removed from the session.
    /// </summary>
    public static (List<PinterestEvent> Events, string? SkipReason) Map(ShopifyWebhook webhook, JsonElement cart, IList<CartLine> before, Session? session, EnricherShop shop)
    {
        var (token, lines) = Read(cart);
        var time = EventTime(cart, webhook);
        var events = new List<PinterestEvent>();
        string? skipped = SkipReasons.NothingAdded;
        foreach (var line in lines)
        {
            var previous = before.FirstOrDefault(b => b.VariantId == line.VariantId)?.Quantity ?? 0;
            if (line.Quantity <= previous)
            {
                continue;
            }

            var added = line.Quantity - previous;
            var item = Objects(cart, "line_items").First(i => VariantOf(i) == line.VariantId);
            var presentment = Object(Object(item, "price_set"), "presentment_money") ?? Object(Object(item, "original_price_set"), "presentment_money");
            var price = Amount(Property(presentment, "amount") ?? Property(item, "price"), $"Cart {token}");
            var currency = presentment is not null ? Text(presentment, "currency_code") : Text(cart, "currency");
            var draft = new PinterestEvent
            {
                ShopDomain = webhook.ShopDomain,
                EventName = EventName,
                ActionSource = "web",
                EventTime = time,
                EventId = SessionRecorder.TakePixelEventId(session, EventName, line.VariantId)
                          ?? EventIds.AddToCart(webhook.ShopDomain, token, line.VariantId, line.Quantity, Text(cart, "updated_at") ?? webhook.WebhookId),
                UserData = new PinterestUserData(),
                CustomData = new PinterestCustomData
                {
                    Currency = currency is { Length: 3 } ? currency : null,
                    Value = price is null ? null : (decimal.Parse(price, CultureInfo.InvariantCulture) * added).ToString(CultureInfo.InvariantCulture),
                    ContentIds = [line.VariantId],
                    Contents = [new PinterestContent { Id = line.VariantId, ItemPrice = price, Quantity = added, ItemName = Text(item, "title"), ItemBrand = Text(item, "vendor") }],
                    NumItems = added,
                },
                SourceWebhookId = webhook.WebhookId,
            };
            var (stitched, reason) = SessionStitcher.Stitch(draft, session, shop.Events);
            if (stitched is not null)
            {
                events.Add(stitched);
            }
            else
            {
                skipped = reason;
            }
        }

        return (events, events.Count > 0 ? null : skipped);
    }

    private static string? VariantOf(JsonElement item) => OrderJson.Id(item, "variant_id") ?? OrderJson.Id(item, "product_id");

    // The cart's updated_at, else when Ingest received it: a cart's own time is not worth a dead letter.
    private static long EventTime(JsonElement cart, ShopifyWebhook webhook) =>
        (PlausibleTime(Text(cart, "updated_at"), DateTimeOffset.UtcNow) ?? new DateTimeOffset(webhook.ReceivedAt, TimeSpan.Zero)).ToUnixTimeSeconds();
}
