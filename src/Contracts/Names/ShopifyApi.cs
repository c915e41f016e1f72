namespace Streaming.Contracts;

/// <summary>The Shopify Admin API version the pipeline is built for.</summary>
public static class ShopifyApi
{
    /// <summary>
    /// Webhook payloads are read as this version serializes them (the samples and the mapping follow its
    /// reference), and the tools ask the Admin GraphQL API in it: 2026-07 is the first with the order's cart token.
    /// </summary>
    public const string Version = "2026-07";
}
