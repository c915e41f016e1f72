namespace Streaming.Contracts;

/// <summary>Shopify's webhook topics (<c>X-Shopify-Topic</c>) that the enricher and the operator view tell apart.</summary>
public static class ShopifyTopics
{
    public const string OrdersCreate = "orders/create";
}
