namespace Streaming.Ingest;

/// <summary>
/// The Kafka key of everything Ingest writes: <c>&lt;shop&gt;/&lt;cart token&gt;</c> where there is a cart,
/// so that the cart's webhooks and storefront events hash to the same partition number of their
/// co-partitioned topics. Both endpoints build their keys here, so they cannot drift apart.
/// </summary>
internal static class CartKey
{
    public static string Of(string shopDomain, string cartTokenOrOwnId) => $"{shopDomain}/{cartTokenOrOwnId}";
}
