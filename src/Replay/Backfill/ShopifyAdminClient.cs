using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Streaming.Replay.Backfill;

/// <summary>
/// Reads a shop's orders of a time range from the Shopify Admin GraphQL API, a page at a time, within
/// Shopify's cost-based limits: each answer says what the bucket holds and how fast it refills, and the
/// next page waits until the bucket can pay for it. A throttled answer (<c>THROTTLED</c> in a 200, or a
/// 429 or 503) waits as long as it says, or as the bucket needs, and asks again.
/// </summary>
public sealed partial class ShopifyAdminClient(IHttpClientFactory http, TimeProvider clock, ILogger<ShopifyAdminClient> logger)
{
    public const string HttpClientName = "shopify-admin";
    private const int MaxAttempts = 10;

    // Up to 250 orders a page are allowed; with 50 line items each, a page costs about pageSize × 50 points,
    // and one query may cost at most 1,000.
    private const string Query = """
        query BackfillOrders($first: Int!, $after: String, $query: String!) {
          orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
            pageInfo { hasNextPage endCursor }
            nodes {
              legacyResourceId name email phone createdAt processedAt updatedAt cancelledAt test sourceName
              cartToken checkoutToken clientIp statusPageUrl
              customerJourneySummary { firstVisit { landingPage } }
              customAttributes { key value }
              currencyCode presentmentCurrencyCode
              subtotalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
              totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
              customer { legacyResourceId email phone firstName lastName }
              billingAddress { firstName lastName city provinceCode zip countryCodeV2 phone }
              shippingAddress { firstName lastName city provinceCode zip countryCodeV2 phone }
              lineItems(first: 50) {
                nodes {
                  quantity title vendor
                  variant { legacyResourceId }
                  product { legacyResourceId }
                  originalUnitPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
                }
              }
            }
          }
        }
        """;

    /// <summary>How often Shopify's limits made this client wait, and for how long in all.</summary>
    public int Throttled { get; private set; }

    public TimeSpan Waited { get; private set; }

    /// <param name="endpoint">The shop's GraphQL endpoint, for example https://shop.myshopify.com/admin/api/2026-10/graphql.json.</param>
    public async IAsyncEnumerable<JsonObject> OrdersAsync(
        Uri endpoint, string token, DateTimeOffset from, DateTimeOffset to, int pageSize,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var search = string.Create(CultureInfo.InvariantCulture, $"created_at:>='{from.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}' AND created_at:<='{to.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}'");
        string? after = null;
        var bucket = new Bucket();
        while (true)
        {
            var data = await PageAsync(endpoint, token, new { first = pageSize, after, query = search }, bucket, cancellationToken).ConfigureAwait(false);
            var orders = data["orders"] as JsonObject ?? throw new ShopifyAdminException($"{endpoint} answered without data.orders.");
            foreach (var node in orders["nodes"]?.AsArray() ?? [])
            {
                if (node is JsonObject order)
                {
                    yield return order;
                }
            }

            var page = orders["pageInfo"];
            if (page?["hasNextPage"]?.GetValue<bool>() != true)
            {
                yield break;
            }

            after = page["endCursor"]?.GetValue<string>() ?? throw new ShopifyAdminException($"{endpoint} said there is a next page but gave no cursor.");
        }
    }

    private async Task<JsonObject> PageAsync(Uri endpoint, string token, object variables, Bucket bucket, CancellationToken cancellationToken)
    {
        using var client = http.CreateClient(HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            await WaitAsync(bucket.WaitBefore(), cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = JsonContent.Create(new { query = Query, variables }),
            };
            request.Headers.Add("X-Shopify-Access-Token", token);
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if ((response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) && attempt < MaxAttempts)
            {
                var wait = response.Headers.RetryAfter?.Delta
                    ?? (double.TryParse(response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                        ? TimeSpan.FromSeconds(seconds)
                        : TimeSpan.FromSeconds(Math.Min(60, 1 << attempt)));
                Throttle(endpoint, (int)response.StatusCode, wait);
                await WaitAsync(wait, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new ShopifyAdminException(
                    $"Shopify refused the Admin API token for {endpoint.Host} ({(int)response.StatusCode}): check Shops:N:AdminApiToken and that the app has the read_orders scope.");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ShopifyAdminException($"{endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false)
                ?? throw new ShopifyAdminException($"{endpoint} answered with an empty body.");
            bucket.Update(body["extensions"]?["cost"]);
            if (body["errors"] is JsonArray { Count: > 0 } errors)
            {
                if (errors.Any(IsThrottled) && attempt < MaxAttempts)
                {
                    var wait = bucket.WaitForRequested();
                    Throttle(endpoint, 200, wait);
                    await WaitAsync(wait, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw new ShopifyAdminException($"{endpoint} answered with errors: {string.Join("; ", errors.Select(e => e?["message"]?.GetValue<string>()))}");
            }

            return body["data"] as JsonObject ?? throw new ShopifyAdminException($"{endpoint} answered without data.");
        }
    }

    private static bool IsThrottled(JsonNode? error) =>
        error?["extensions"]?["code"]?.GetValue<string>() == "THROTTLED" || error?["message"]?.GetValue<string>() == "Throttled";

    private async Task WaitAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        Waited += wait;
        await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
    }

    private void Throttle(Uri endpoint, int status, TimeSpan wait)
    {
        Throttled++;
        LogThrottled(endpoint.Host, status, wait.TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shopify throttled the backfill of {Shop} ({Status}); waiting {Seconds:0.#} s")]
    private partial void LogThrottled(string shop, int status, double seconds);

    /// <summary>Shopify's leaky bucket as its last answer described it.</summary>
    private sealed class Bucket
    {
        private double? _requested;
        private double? _available;
        private double? _restoreRate;

        public void Update(JsonNode? cost)
        {
            if (cost is null)
            {
                return;
            }

            _requested = Number(cost["requestedQueryCost"]) ?? _requested;
            var status = cost["throttleStatus"];
            _available = Number(status?["currentlyAvailable"]) ?? _available;
            _restoreRate = Number(status?["restoreRate"]) ?? _restoreRate;
        }

        /// <summary>Before a page: long enough for the bucket to pay what the last page cost.</summary>
        public TimeSpan WaitBefore()
        {
            if (_requested is not { } requested || _available is not { } available || _restoreRate is not > 0 || available >= requested)
            {
                return TimeSpan.Zero;
            }

            var wait = TimeSpan.FromSeconds((requested - available) / _restoreRate.Value);
            _available = requested;
            return wait;
        }

        /// <summary>After a throttled answer: what the bucket lacks at its refill rate, at least a second.</summary>
        public TimeSpan WaitForRequested()
        {
            var lacking = (_requested ?? 0) - (_available ?? 0);
            var seconds = _restoreRate is > 0 ? lacking / _restoreRate.Value : 1;
            _available = null;
            return TimeSpan.FromSeconds(Math.Max(1, seconds));
        }

        private static double? Number(JsonNode? node) =>
            node is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;
    }
}

public sealed class ShopifyAdminException(string message) : Exception(message);
