namespace Streaming.Contracts;

/// <summary>Shopify's webhook topics (<c>X-Shopify-Topic</c>) that the enricher and the operator view tell apart.</summary>
public static class ShopifyTopics
{
    public const string OrdersCreate = "orders/create";

    /// <summary>A customer record created: an account opened, or a shopper who agreed to marketing (the <c>signup</c> event).</summary>
    public const string CustomersCreate = "customers/create";

    /// <summary>The topics Ingest writes unless configured otherwise (the nine the enricher maps), and the ones <c>setup</c> subscribes.</summary>
    public static readonly IReadOnlyList<string> Written =
    [
        OrdersCreate, "orders/updated", "orders/paid", "orders/cancelled",
        "carts/create", "carts/update", "checkouts/create", "checkouts/update", CustomersCreate,
    ];
}
