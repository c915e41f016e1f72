using System.Text.RegularExpressions;
using Streaming.Contracts;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Ingest.Shops;

/// <summary>A shop as Ingest knows it (an entry of <c>Shops</c>): what verifies its webhooks and admits its storefronts.</summary>
public sealed partial class IngestShop : Shop
{
    /// <summary>Secrets that may sign this shop's webhooks. Keep the old one next to the new one while rotating.</summary>
    public List<string> WebhookSecrets { get; set; } = [];

    /// <summary>
    /// Origins of the shop's storefronts (for example <c>https://www.example.com</c>) that may post to
    /// <c>/collect</c>; the shop's own <c>https://&lt;domain&gt;</c> is always allowed.
    /// </summary>
    public List<string> StorefrontOrigins { get; set; } = [];

    /// <summary>What the storefront pixel needs of the shop's event settings.</summary>
    public IngestShopEvents Events { get; set; } = new();

    /// <summary>What the storefront pixel needs of the shop's Pinterest settings.</summary>
    public IngestShopPinterest Pinterest { get; set; } = new();

    public override IEnumerable<string> Problems(string at)
    {
        if (WebhookSecrets.Count == 0 || WebhookSecrets.Any(string.IsNullOrWhiteSpace))
        {
            yield return $"{at}:WebhookSecrets needs at least one secret, and none may be empty.";
        }

        foreach (var origin in StorefrontOrigins.Where(o => NormalizeOrigin(o) is null))
        {
            yield return $"{at}:StorefrontOrigins: '{origin}' is not an origin; write scheme and host only, for example https://www.example.com.";
        }

        if (!string.IsNullOrEmpty(Pinterest.TagId) && !TagIdPattern().IsMatch(Pinterest.TagId))
        {
            yield return $"{at}:Pinterest:TagId must be the Pinterest Tag id, 1 to 20 digits, not '{Pinterest.TagId}'.";
        }
    }

    /// <summary>An origin as browsers send it (<c>https://host[:port]</c>, lowercase), or null when the text is no origin.</summary>
    public static string? NormalizeOrigin(string origin) =>
        Uri.TryCreate(origin.Trim(), UriKind.Absolute, out var uri)
        && uri.Scheme is "https" or "http"
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;

    [GeneratedRegex(@"^\d{1,20}$")]
    private static partial Regex TagIdPattern();
}

/// <summary><c>Shops:N:Pinterest</c> as Ingest reads it: only the Tag id the pixel loads, never the conversion token.</summary>
public sealed class IngestShopPinterest
{
    /// <summary>
    /// The Pinterest Tag id the storefront pixel loads and fires with the shared event ids. Empty: the
    /// pixel only feeds <c>/collect</c>, and the shop's Tag (if any) keeps its own event ids.
    /// </summary>
    public string? TagId { get; set; }
}

/// <summary><c>Shops:N:Events</c> as Ingest reads it: the pixel values a checkout as the enricher does.</summary>
public sealed class IngestShopEvents
{
    public CheckoutValue CheckoutValue { get; set; } = CheckoutValue.Subtotal;
}
