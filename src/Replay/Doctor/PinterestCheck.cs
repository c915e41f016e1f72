using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Streaming.Replay.Operations;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Replay.Doctor;

/// <summary>
/// The shop's conversion token, valid for its ad account, checked without recording anything: one
/// synthetic page visit sent with <c>?test=true</c> ("the events will not be recorded but the API will
/// still return the same response messages"). A conversion token may send events only, so reading the
/// ad account would prove less.
/// </summary>
public sealed class PinterestCheck(HttpClient http, Uri baseUrl, TimeProvider clock)
{
    public async Task<Check> RunAsync(ConnectedShop shop, CancellationToken cancellationToken)
    {
        var scope = Shop.Normalize(shop.Domain);
        const string Name = "Pinterest conversion token";
        var account = shop.Pinterest.AdAccountId;
        if (string.IsNullOrWhiteSpace(shop.Pinterest.ConversionToken))
        {
            return Check.Fail(scope, Name, "none configured: the dispatcher only logs what it would send (dry run)",
                $"Create a conversion access token for ad account {account} in Pinterest Ads Manager (the conversion access token of that ad account) and put it in Shops:N:Pinterest:ConversionToken.");
        }

        var url = new Uri(baseUrl, $"/v5/ad_accounts/{Uri.EscapeDataString(account)}/events?test=true");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(new
            {
                data = new[]
                {
                    new
                    {
                        event_name = "page_visit",
                        action_source = "web",
                        event_time = clock.GetUtcNow().ToUnixTimeSeconds(),
                        event_id = $"doctor-{Guid.NewGuid():N}",
                        event_source_url = $"https://{scope}/",
                        user_data = new { client_ip_address = "192.0.2.1", client_user_agent = "pipeline-doctor" },
                    },
                },
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", shop.Pinterest.ConversionToken);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return response.StatusCode switch
            {
                HttpStatusCode.OK => Check.Pass(scope, Name, $"accepted for ad account {account} (test=true: nothing recorded)"),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => Check.Fail(scope, Name, $"refused for ad account {account} ({status})",
                    $"The token is wrong, revoked, or its user has no access to ad account {account}: create a new conversion access token for this ad account in Ads Manager, " +
                    "put it in Shops:N:Pinterest:ConversionToken, and check Shops:N:Pinterest:AdAccountId."),
                HttpStatusCode.NotFound => Check.Fail(scope, Name, $"ad account {account} not found ({status})", "Check Shops:N:Pinterest:AdAccountId against Ads Manager."),
                _ => Check.Fail(scope, Name, $"Pinterest answered {status} for ad account {account}",
                    "Try again later; if it stays, read the answer with the dispatcher's logs (Pinterest:BaseUrl, the network to api.pinterest.com)."),
            };
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Check.Fail(scope, Name, $"{baseUrl} did not answer: {e.Message}", "Check Pinterest:BaseUrl and that this machine reaches it (a proxy, a firewall).");
        }
    }
}
