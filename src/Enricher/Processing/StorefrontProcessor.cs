using Streaming.Enricher.Orders;
using Streaming.Enricher.Output;
using Streaming.Enricher.Sessions;
using Streaming.Enricher.Stitching;
using Streaming.Enricher.Storefront;

namespace Streaming.Enricher.Processing;

/// <summary>
/// The storefront events input: each one folded into the session of its cart (or of its checkout, else of
/// the visitor), made into a browsing event where Pinterest has one, and what waited for that session
/// released at once.
/// </summary>
public sealed class StorefrontProcessor(WaitingRelease release) : IRecordProcessor<StorefrontEvent>
{
    public async Task<string> ProcessAsync(StorefrontEvent storefrontEvent, EnricherShop shop, long at, ProcessorContext context)
    {
        if (!System.Text.Unicode.Utf8.IsValid(storefrontEvent.Event))
        {
            throw new UnmappableWebhookException($"The {storefrontEvent.EventName} event is not valid UTF-8.");
        }

        using var document = JsonDocument.Parse(storefrontEvent.Event);
        var states = context.States;
        var shopDomain = storefrontEvent.ShopDomain;
        string? key = null;
        if (storefrontEvent.CartToken is { } cartToken)
        {
            key = CartStates.Cart(shopDomain, cartToken);
            if (storefrontEvent.CheckoutToken is { } checkoutToken)
            {
                await CartSessions.LinkAsync(states, shopDomain, checkoutToken, cartToken, at);
            }
        }
        else if (storefrontEvent.CheckoutToken is { } checkoutToken)
        {
            var link = await states.ReadAsync(CartStates.CheckoutLink(shopDomain, checkoutToken));
            key = link?.CartToken is { } linked ? CartStates.Cart(shopDomain, linked) : CartStates.CheckoutLink(shopDomain, checkoutToken);
        }
        else if (storefrontEvent.ClientId is { Length: > 0 } clientId)
        {
            key = CartStates.Visitor(shopDomain, clientId);
        }

        var state = key is null ? new EnricherState() : await states.ReadAsync(key) ?? new EnricherState();
        state.Session = SessionRecorder.Record(state.Session, storefrontEvent, document.RootElement);
        if (key is not null)
        {
            await states.WriteAsync(key, state, at);
        }

        var (derived, skipped) = StorefrontEventMapper.Map(storefrontEvent, document.RootElement, state.Session, shop);
        var input = Outcomes.StorefrontInput(storefrontEvent.EventName);
        if (derived is not null)
        {
            // The storefront event is the session: joined by its nature.
            context.Output.Mapped(derived, input, sessionJoined: true);
        }
        else
        {
            context.Output.Skipped(shopDomain, input, skipped!, storefrontEvent.OccurredAt);
        }

        if (key is not null)
        {
            // What waited for this session goes now, in the order it came.
            await release.ReleaseWaitingForAsync(key, context);
        }

        return skipped ?? RecordOutcomes.Mapped;
    }
}
