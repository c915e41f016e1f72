using Streaming.Enricher.Orders;
using Streaming.Enricher.Stitching;
using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher.Processing;

/// <summary>
/// The orders whose checkout event was sent, kept with their cart (or under the order when it has no
/// cart): a second orders/create, or an update of a sent order, sends nothing again.
/// </summary>
public static class SentOrders
{
    public const int Kept = 50;

    /// <summary>Where an order's sent mark is kept, and what is kept there now.</summary>
    public static async Task<(string Key, EnricherState? State)> ReadAsync(CartStates states, string shop, JsonElement order)
    {
        var key = Text(order, "cart_token") is { } cartToken
            ? CartStates.Cart(shop, cartToken)
            : CartStates.CartlessOrder(shop, CheckoutEventMapper.OrderId(order));
        return (key, await states.ReadAsync(key));
    }

    public static bool Contains(EnricherState? state, string orderId) => state?.SentOrders.Contains(orderId) == true;

    /// <summary>Marks the order sent, keeping the last <see cref="Kept"/> of the entry.</summary>
    public static async Task RememberAsync(CartStates states, string key, EnricherState? state, string orderId, long at)
    {
        state ??= new EnricherState();
        state.SentOrders.Add(orderId);
        while (state.SentOrders.Count > Kept)
        {
            state.SentOrders.RemoveAt(0);
        }

        await states.WriteAsync(key, state, at);
    }
}
