namespace Streaming.Contracts;

/// <summary>
/// What a checkout is worth (<c>Shops:N:Events:CheckoutValue</c>). Both the pixel (for the Tag's event) and
/// the enricher (for the server's) compute it, and Pinterest compares the two, so they must agree.
/// </summary>
public enum CheckoutValue
{
    /// <summary>Pinterest's advice: after discounts, before shipping and tax.</summary>
    Subtotal,

    /// <summary>What the shopper paid in full.</summary>
    Total,
}
