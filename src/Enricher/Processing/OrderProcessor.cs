using Streaming.Enricher.Orders;
using Streaming.Enricher.Stitching;
using Streaming.Kafka.Avro;
using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher.Processing;

/// <summary>
/// The orders input: an orders/create becomes a checkout event joined to its cart's session, or waits
/// through the grace period for a session still to come; an order already sent is sent once; updates,
/// payments and cancellations are no conversion of their own.
/// </summary>
public sealed class OrderProcessor(GraceWait grace, AvroSerdes serdes, string eventsTopic) : IRecordProcessor<ShopifyWebhook>
{
    public const string OrdersUpdated = "orders/updated";
    public const string OrdersPaid = "orders/paid";
    public const string OrdersCancelled = "orders/cancelled";

    public static bool Handles(string topic) => topic is CheckoutEventMapper.OrdersCreate or OrdersUpdated or OrdersPaid or OrdersCancelled;

    public async Task<string> ProcessAsync(ShopifyWebhook webhook, EnricherShop shop, long at, ProcessorContext context)
    {
        switch (webhook.Topic)
        {
            case CheckoutEventMapper.OrdersCreate:
                return await CreatedAsync(webhook, shop, at, context);
            case OrdersUpdated or OrdersPaid:
                {
                    using var document = CheckoutEventMapper.Parse(webhook);
                    var order = document.RootElement;
                    var (_, sent) = await SentOrders.ReadAsync(context.States, webhook.ShopDomain, order);
                    return SentOrders.Contains(sent, CheckoutEventMapper.OrderId(order)) ? SkipReasons.AlreadySent : SkipReasons.OrderUpdate;
                }

            case OrdersCancelled:
                return SkipReasons.NotAConversion;
            default:
                return SkipReasons.TopicNotMapped;
        }
    }

    /// <summary>A waiting order's event, with the session known now.</summary>
    public async Task<string> ReleaseAsync(WaitingWebhook waiting, EnricherShop shop, long at, ProcessorContext context)
    {
        var draft = await serdes.DeserializeAsync<PinterestEvent>(waiting.CheckoutEvent, eventsTopic);
        var sentKey = waiting.PartitionKey;
        var sentState = await context.States.ReadAsync(sentKey);
        if (SentOrders.Contains(sentState, draft.CustomData.OrderId!))
        {
            return SkipReasons.AlreadySent;
        }

        var cartToken = waiting.PartitionKey[(waiting.ShopDomain.Length + 1)..];
        var session = await CartSessions.FindAsync(context.States, waiting.ShopDomain, cartToken, waiting.CheckoutToken);
        return await SendAsync(draft, session, shop, sentKey, sentState, at, context);
    }

    private async Task<string> CreatedAsync(ShopifyWebhook webhook, EnricherShop shop, long at, ProcessorContext context)
    {
        using var document = CheckoutEventMapper.Parse(webhook);
        var order = document.RootElement;
        if (CheckoutEventMapper.Exclusion(order, shop) is { } excluded)
        {
            var createdAt = PlausibleTime(Text(order, "created_at"), context.Clock.GetUtcNow())?.UtcDateTime ?? webhook.ReceivedAt;
            context.Output.Skipped(webhook.ShopDomain, webhook.Topic, excluded, createdAt);
            return excluded;
        }

        var (sentKey, sentState) = await SentOrders.ReadAsync(context.States, webhook.ShopDomain, order);
        if (SentOrders.Contains(sentState, CheckoutEventMapper.OrderId(order)))
        {
            return SkipReasons.AlreadySent;
        }

        var cartToken = Text(order, "cart_token");
        var session = await CartSessions.FindAsync(context.States, webhook.ShopDomain, cartToken, Text(order, "checkout_token"));
        // Mapped now, whatever happens next: what cannot be mapped is dead-lettered at once, not after a wait.
        var draft = CheckoutEventMapper.Draft(webhook, order, shop, context.Clock);
        // A backfilled order is days old: its session, if any, was never recorded, and none will come.
        if (session is null && cartToken is not null && grace.Applies && webhook.BackfillRun is null)
        {
            // What waits is the event, only the session still to come: the body is not parsed again.
            var checkoutEvent = await serdes.SerializeAsync(draft, eventsTopic);
            await grace.WaitAsync(context, CartStates.Cart(webhook.ShopDomain, cartToken), webhook, [], at, checkoutEvent, Text(order, "checkout_token"));
            return RecordOutcomes.Waiting;
        }

        return await SendAsync(draft, session, shop, sentKey, sentState, at, context);
    }

    private static async Task<string> SendAsync(
        PinterestEvent draft, Session? session, EnricherShop shop, string sentKey, EnricherState? sentState, long at, ProcessorContext context)
    {
        var (checkout, skipped) = SessionStitcher.Stitch(draft, session, shop.Events);
        if (checkout is null)
        {
            context.Output.Skipped(draft.ShopDomain, CheckoutEventMapper.OrdersCreate, skipped!, DateTimeOffset.FromUnixTimeSeconds(draft.EventTime).UtcDateTime);
            return skipped!;
        }

        context.Output.Mapped(checkout, CheckoutEventMapper.OrdersCreate, sessionJoined: session is not null);
        await SentOrders.RememberAsync(context.States, sentKey, sentState, checkout.CustomData.OrderId!, at);
        return RecordOutcomes.Mapped;
    }
}
