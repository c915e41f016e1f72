namespace Streaming.ServiceDefaults.Shops;

/// <summary>
/// What every service knows of a shop: its domain. Each service binds its own kind of shop from the one
/// <c>Shops</c> list, with only the settings it uses, so a deployable is given (and checks) its own part:
/// Ingest the webhook secrets, the dispatcher the conversion token.
/// </summary>
public abstract class Shop
{
    /// <summary>The shop's myshopify.com domain, as Shopify sends it in X-Shopify-Shop-Domain.</summary>
    public string Domain { get; set; } = "";

    /// <summary>What is wrong with this entry for the service that binds it, each naming its setting under <paramref name="at"/> (<c>Shops:N</c>).</summary>
    public virtual IEnumerable<string> Problems(string at) => [];

    public static string Normalize(string domain) => domain.Trim().ToLowerInvariant();
}
