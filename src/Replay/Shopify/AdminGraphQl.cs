using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Streaming.Replay.Shopify;

/// <summary>
/// One shop's Admin GraphQL endpoint, within Shopify's cost-based limits: each answer says what the
/// bucket holds and how fast it refills, and the next request waits until the bucket can pay for it. A
/// throttled answer (<c>THROTTLED</c> in a 200, or a 429 or 503) waits as long as it says, or as the
/// bucket needs, and asks again. A refused token and a missing scope are told apart, with what to do.
/// </summary>
public sealed partial class AdminGraphQl(HttpClient http, Uri endpoint, string token, string scopes, TimeProvider clock, ILogger logger)
{
    private const int MaxAttempts = 10;

    private readonly CostBucket _bucket = new();

    public Uri Endpoint { get; } = endpoint;

    /// <summary>How often Shopify's limits made this client wait, and for how long in all.</summary>
    public int Throttled { get; private set; }

    public TimeSpan Waited { get; private set; }

    /// <summary>The shop's endpoint: <paramref name="template"/> with {shop} and {version} filled in, else Shopify's own.</summary>
    public static Uri EndpointFor(string shop, string version, string? template) =>
        new((template ?? "https://{shop}/admin/api/{version}/graphql.json")
            .Replace("{shop}", shop, StringComparison.Ordinal)
            .Replace("{version}", version, StringComparison.Ordinal));

    /// <summary>Runs <paramref name="query"/> and returns its <c>data</c>.</summary>
    public async Task<JsonObject> RunAsync(string query, object variables, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await WaitAsync(_bucket.WaitBefore(), cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
            {
                Content = JsonContent.Create(new { query, variables }),
            };
            request.Headers.Add("X-Shopify-Access-Token", token);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if ((response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) && attempt < MaxAttempts)
            {
                var wait = response.Headers.RetryAfter?.Delta
                    ?? (double.TryParse(response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                        ? TimeSpan.FromSeconds(seconds)
                        : TimeSpan.FromSeconds(Math.Min(60, 1 << attempt)));
                await ThrottleAsync((int)response.StatusCode, wait, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new ShopifyAdminException(
                    $"Shopify refused the Admin API token for {Endpoint.Host} ({(int)response.StatusCode}): check Shops:N:AdminApiToken " +
                    $"(an Admin API access token of an app installed on this shop, with the scopes {scopes}).",
                    ShopifyAdminFailure.TokenRefused);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ShopifyAdminException($"{Endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false)
                ?? throw new ShopifyAdminException($"{Endpoint} answered with an empty body.");
            _bucket.Update(body["extensions"]?["cost"]);
            if (body["errors"] is JsonArray { Count: > 0 } errors)
            {
                if (errors.Any(e => Code(e) == "THROTTLED" || e?["message"]?.GetValue<string>() == "Throttled") && attempt < MaxAttempts)
                {
                    await ThrottleAsync(200, _bucket.WaitForRequested(), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var messages = string.Join("; ", errors.Select(e => e?["message"]?.GetValue<string>()));
                if (errors.Any(e => Code(e) == "ACCESS_DENIED"))
                {
                    throw new ShopifyAdminException(
                        $"Shopify accepted the token for {Endpoint.Host} but denied access ({messages}): give the app the scopes {scopes}, " +
                        "then install it on the shop again so that the new scopes are granted, and put the new token in Shops:N:AdminApiToken.",
                        ShopifyAdminFailure.MissingScope);
                }

                throw new ShopifyAdminException($"{Endpoint} answered with errors: {messages}");
            }

            return body["data"] as JsonObject ?? throw new ShopifyAdminException($"{Endpoint} answered without data.");
        }
    }

    private static string? Code(JsonNode? error) => error?["extensions"]?["code"]?.GetValue<string>();

    private async Task ThrottleAsync(int status, TimeSpan wait, CancellationToken cancellationToken)
    {
        Throttled++;
        LogThrottled(logger, Endpoint.Host, status, wait.TotalSeconds);
        await WaitAsync(wait, cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        Waited += wait;
        await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shopify throttled a request to {Shop} ({Status}); waiting {Seconds:0.#} s")]
    private static partial void LogThrottled(ILogger logger, string shop, int status, double seconds);
}
