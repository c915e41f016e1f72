using Streaming.Enricher.Carts;
using Streaming.Enricher.Orders;
using Streaming.Enricher.Stitching;

namespace Streaming.Enricher.Processing;

/// <summary>
/// The carts input: the cart's contents kept in its state, and an add_to_cart for each variant whose
/// quantity rose, joined to the cart's session, or waiting through the grace period for one.
/// </summary>
public sealed class CartProcessor(GraceWait grace) : IRecordProcessor<ShopifyWebhook>
{
    public Task<string> ProcessAsync(ShopifyWebhook webhook, EnricherShop shop, long at, ProcessorContext context) =>
        ChangedAsync(webhook, shop, at, context, before: null);

    /// <summary>A waiting cart change's events, against the contents the cart had before it and with the session known now.</summary>
    public Task<string> ReleaseAsync(ShopifyWebhook webhook, IList<CartLine> before, EnricherShop shop, long at, ProcessorContext context) =>
        ChangedAsync(webhook, shop, at, context, before);

    private async Task<string> ChangedAsync(ShopifyWebhook webhook, EnricherShop shop, long at, ProcessorContext context, IList<CartLine>? before)
    {
        using var document = CheckoutEventMapper.Parse(webhook);
        var (token, lines) = AddToCartMapper.Read(document.RootElement);
        var key = CartStates.Cart(webhook.ShopDomain, token);
        var state = await context.States.ReadAsync(key) ?? new EnricherState();
        var waited = before is not null;
        before ??= state.CartLines ?? [];
        if (!waited)
        {
            // Checked now, whatever happens next: a cart that cannot be mapped is dead-lettered at once.
            AddToCartMapper.Map(webhook, document.RootElement, before, session: null, shop);
            var added = lines.Any(l => l.Quantity > (before.FirstOrDefault(b => b.VariantId == l.VariantId)?.Quantity ?? 0));
            state.CartLines = lines;
            if (added && state.Session is null && grace.Applies)
            {
                await context.States.WriteAsync(key, state, at);
                await grace.WaitAsync(context, key, webhook, before, at);
                return RecordOutcomes.Waiting;
            }
        }

        var (events, skipped) = AddToCartMapper.Map(webhook, document.RootElement, before, state.Session, shop);
        foreach (var added in events)
        {
            context.Output.Mapped(added, webhook.Topic, sessionJoined: state.Session is not null);
        }

        if (skipped is not null)
        {
            context.Output.Skipped(webhook.ShopDomain, webhook.Topic, skipped, webhook.ReceivedAt);
        }

        await context.States.WriteAsync(key, state, at);
        return skipped ?? RecordOutcomes.Mapped;
    }
}
