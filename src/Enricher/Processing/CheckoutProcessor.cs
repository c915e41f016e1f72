using Streaming.Enricher.Orders;
using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher.Processing;

/// <summary>
/// The checkouts input: no event of its own, only the link from a checkout to its cart, so that an order
/// or a storefront event that knows only the checkout finds the cart's session.
/// </summary>
public sealed class CheckoutProcessor : IRecordProcessor<ShopifyWebhook>
{
    public static bool Handles(string topic) => topic is "checkouts/create" or "checkouts/update";

    public async Task<string> ProcessAsync(ShopifyWebhook webhook, EnricherShop shop, long at, ProcessorContext context)
    {
        using var document = CheckoutEventMapper.Parse(webhook);
        if (Text(document.RootElement, "token") is { } checkoutToken && Text(document.RootElement, "cart_token") is { } cartToken)
        {
            await CartSessions.LinkAsync(context.States, webhook.ShopDomain, checkoutToken, cartToken, at);
        }

        return SkipReasons.LinkRecorded;
    }
}
