using System.Net;
using Streaming.Replay.Operations;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Replay.Doctor;

/// <summary>
/// Ingest as shoppers' browsers and Shopify reach it: its public address (<c>Storefront:PublicUrl</c>)
/// answering <c>/healthz</c>, and <c>/pixel.js</c> served for each shop, posting to that address.
/// </summary>
public sealed class StorefrontChecks(HttpClient http, Uri? publicUrl, Uri? ingestUrl)
{
    private Uri? Base => ingestUrl ?? publicUrl;

    public async Task<Check> PublicUrlAsync(CancellationToken cancellationToken)
    {
        const string Name = "Ingest's public address";
        if (publicUrl is null)
        {
            return Check.Skip(Check.Cluster, Name,
                "Storefront:PublicUrl is empty: the pixel posts to the address it was loaded from, and setup needs --ingest-url");
        }

        var health = new Uri($"{publicUrl.ToString().TrimEnd('/')}/healthz");
        var (status, problem) = await GetAsync(health, cancellationToken).ConfigureAwait(false);
        return status == HttpStatusCode.OK
            ? Check.Pass(Check.Cluster, Name, $"{health} answers")
            : Check.Fail(Check.Cluster, Name, $"{health}: {problem ?? ((int)status!).ToString(System.Globalization.CultureInfo.InvariantCulture)}",
                "Check that Ingest runs and that Storefront:PublicUrl is the address its load balancer or ingress serves (DNS, TLS certificate, firewall).");
    }

    public async Task<Check> PixelAsync(ConnectedShop shop, CancellationToken cancellationToken)
    {
        var scope = Shop.Normalize(shop.Domain);
        const string Name = "/pixel.js";
        if (Base is null)
        {
            return Check.Skip(scope, Name, "Ingest's address is not known: give --ingest-url or set Storefront:PublicUrl");
        }

        var url = new Uri($"{Base.ToString().TrimEnd('/')}/pixel.js?shop={Uri.EscapeDataString(scope)}");
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return Check.Fail(scope, Name, $"{url} answered {(int)response.StatusCode}",
                    response.StatusCode == HttpStatusCode.NotFound
                        ? "Ingest does not know the shop: add it to the Shops list of Ingest's configuration (the same list as here)."
                        : "Check Ingest's logs for the request.");
            }

            var collect = publicUrl is null ? null : $"{publicUrl.ToString().TrimEnd('/')}/collect";
            return collect is not null && !text.Contains(collect, StringComparison.Ordinal)
                ? Check.Fail(scope, Name, $"served, but it does not post to {collect}",
                    "Ingest's Storefront:PublicUrl differs from this configuration's: give both the same value, then paste the new script into the shop's custom pixel.")
                : Check.Pass(scope, Name, $"served by {Base}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Check.Fail(scope, Name, $"{url}: {e.Message}", "Check that Ingest runs and this machine reaches it (--ingest-url).");
        }
    }

    private async Task<(HttpStatusCode? Status, string? Problem)> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            return (response.StatusCode, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, e.Message);
        }
    }
}
