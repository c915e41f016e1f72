namespace Streaming.Contracts;

/// <summary>Shopify's webhook topics (<c>X-Shopify-Topic</c>) that the enricher and the operator view tell apart.</summary>
public static class ShopifyTopics
{
    public const string OrdersCreate = "orders/create";

    /// <summary>A customer record created: an account opened, or a shopper who agreed to marketing (the <c>signup</c> event).</summary>
    public const string CustomersCreate = "customers/create";

    /// <summary>The topics Ingest writes unless configured otherwise (the nine the enricher maps), and the ones <c>setup</c> subscribes.</summary>
    public static readonly IReadOnlyList<string> Written =
    [
        OrdersCreate, "orders/updated", "orders/paid", "orders/cancelled",
        "carts/create", "carts/update", "checkouts/create", "checkouts/update", CustomersCreate,
    ];

    /// <summary>A customer asks what the shop holds about them: answered with a report, nothing changes.</summary>
    public const string CustomersDataRequest = "customers/data_request";

    /// <summary>A customer's data is to be erased: their orders, e-mail and phone are named.</summary>
    public const string CustomersRedact = "customers/redact";

    /// <summary>Everything of a shop is to be erased, 48 hours after it uninstalled the app.</summary>
    public const string ShopRedact = "shop/redact";

    /// <summary>
    /// Shopify's mandatory compliance topics. They are always written, whatever <c>Ingest:WrittenTopics</c>
    /// says, and to every partition of the webhook topic: the data they name may sit on any of them.
    /// </summary>
    public static readonly IReadOnlyList<string> Compliance = [CustomersDataRequest, CustomersRedact, ShopRedact];

    /// <summary>
    /// Ingest's entry in a compliance copy's <c>Headers</c>: how many partitions the request was written
    /// to, so that the enricher says how many parts make the whole answer.
    /// </summary>
    public const string CopiesHeader = "x-pipeline-compliance-copies";

    public static bool IsCompliance(string topic) => topic is CustomersDataRequest or CustomersRedact or ShopRedact;
}
