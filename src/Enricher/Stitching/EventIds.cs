using System.Security.Cryptography;
using System.Text;

namespace Streaming.Enricher.Stitching;

/// <summary>
/// The <c>event_id</c> of every event, the same one the storefront pixel gives the Pinterest Tag, so
/// that Pinterest counts the Tag's event and ours once. Every rule here is mirrored by the pixel and
/// pinned by <c>tests/Fixtures/event-ids.json</c>; change one and the vectors fail.
/// </summary>
public static class EventIds
{
    private const string GidPrefix = "gid://shopify/";

    /// <summary>
    /// A checkout's event id is the order id, as digits. The pixel reads it on the thank-you page from
    /// <c>checkout.order.id</c>, a gid such as <c>gid://shopify/OrderIdentity/5396439498987</c>.
    /// </summary>
    public static string Checkout(string orderId) => orderId;

    /// <summary>The numeric tail of a Shopify gid (or the id itself when it is digits already); null otherwise.</summary>
    public static string? IdOf(string? gidOrId)
    {
        if (string.IsNullOrWhiteSpace(gidOrId))
        {
            return null;
        }

        var tail = gidOrId.StartsWith(GidPrefix, StringComparison.Ordinal) ? gidOrId[(gidOrId.LastIndexOf('/') + 1)..] : gidOrId;
        var query = tail.IndexOf('?', StringComparison.Ordinal);
        tail = query >= 0 ? tail[..query] : tail;
        return tail.Length is > 0 and <= 19 && tail[0] != '0' && tail.All(char.IsAsciiDigit) ? tail : null;
    }

    /// <summary>
    /// An add-to-cart the pixel did not report (its event was blocked, or came from elsewhere): derived
    /// from what makes it unique, the cart, the variant, the quantity it reached and the cart's
    /// <c>updated_at</c> as Shopify wrote it, so the same webhook always yields the same id, and a remove
    /// and re-add of the same variant a new one. <c>atc_</c> and the first 32 hex digits of the SHA-256 of
    /// <c>add_to_cart|shop|cart token|variant id|quantity|updated_at</c> (UTF-8).
    /// </summary>
    public static string AddToCart(string shopDomain, string cartToken, string variantId, long quantityAfter, string cartUpdatedAt) =>
        "atc_" + Digest($"add_to_cart|{shopDomain}|{cartToken}|{variantId}|{quantityAfter}|{cartUpdatedAt}");

    /// <summary>
    /// A signup's event id: <c>su_</c> and the customer id, digits. Shopify creates a customer once, so a
    /// redelivered or replayed <c>customers/create</c> gives the same id and Pinterest counts it once.
    /// Server only: the Tag never learns when an account was created.
    /// </summary>
    public static string Signup(string customerId) => "su_" + customerId;

    private static string Digest(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
}
