using System.Globalization;
using System.Text.Json.Nodes;
using Streaming.Replay.Shopify;

namespace Streaming.Replay.Backfill;

/// <summary>
/// Reads a shop's orders of a time range from the Shopify Admin GraphQL API, a page at a time, within
/// Shopify's cost-based limits (<see cref="AdminGraphQl"/>).
/// </summary>
public sealed class ShopifyAdminClient(IHttpClientFactory http, TimeProvider clock, ILogger<ShopifyAdminClient> logger)
{
    public const string HttpClientName = "shopify-admin";

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

    /// <param name="endpoint">The shop's GraphQL endpoint, for example https://shop.myshopify.com/admin/api/2026-07/graphql.json.</param>
    public async IAsyncEnumerable<JsonObject> OrdersAsync(
        Uri endpoint, string token, DateTimeOffset from, DateTimeOffset to, int pageSize,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var search = string.Create(CultureInfo.InvariantCulture, $"created_at:>='{from.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}' AND created_at:<='{to.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}'");
        string? after = null;
        using var client = http.CreateClient(HttpClientName);
        var shop = new AdminGraphQl(client, endpoint, token, "read_orders", clock, logger);
        try
        {
            while (true)
            {
                var data = await shop.RunAsync(Query, new { first = pageSize, after, query = search }, cancellationToken).ConfigureAwait(false);
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
        finally
        {
            Throttled += shop.Throttled;
            Waited += shop.Waited;
        }
    }
}
