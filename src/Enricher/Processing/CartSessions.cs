using Streaming.Enricher.Stitching;

namespace Streaming.Enricher.Processing;

/// <summary>
/// Where a server event finds its browser session: on its cart, on the cart its checkout links to, or
/// recorded under the checkout itself; and the checkout-to-cart links that make the second possible.
/// </summary>
public static class CartSessions
{
    public static async Task<Session?> FindAsync(CartStates states, string shop, string? cartToken, string? checkoutToken)
    {
        if (cartToken is not null && (await states.ReadAsync(CartStates.Cart(shop, cartToken)))?.Session is { } session)
        {
            return session;
        }

        if (checkoutToken is null || await states.ReadAsync(CartStates.CheckoutLink(shop, checkoutToken)) is not { } link)
        {
            return null;
        }

        return link.CartToken is { } linked && linked != cartToken && (await states.ReadAsync(CartStates.Cart(shop, linked)))?.Session is { } linkedSession
            ? linkedSession
            : link.Session;
    }

    public static async Task LinkAsync(CartStates states, string shop, string checkoutToken, string cartToken, long at)
    {
        var key = CartStates.CheckoutLink(shop, checkoutToken);
        var link = await states.ReadAsync(key) ?? new EnricherState();
        if (link.CartToken != cartToken)
        {
            link.CartToken = cartToken;
            await states.WriteAsync(key, link, at);
        }
    }
}
