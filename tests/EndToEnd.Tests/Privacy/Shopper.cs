using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Streaming.EndToEnd.Tests.Privacy;

/// <summary>
/// A shopper of the suite's personal test data: a visit (IP address, user agent), a cart, a checkout, an
/// order and an order the enricher cannot map (a dead letter), each request as Shopify and the pixel send it.
/// </summary>
internal sealed record Shopper(
    string Shop, string Secret, string CustomerId, string Email, string Phone, string FirstName, string LastName, string Ip, string UserAgent, string Cart, string Checkout, string OrderId, string PoisonOrderId)
{
    /// <summary>Values that identify the shopper: none may show up outside the stores the README names.</summary>
    public IReadOnlyList<string> PersonalValues => [Email, Phone, FirstName, LastName, Ip, UserAgent];

    public static Shopper Numbered(int n, string shop, string secret) => new(
        shop,
        secret,
        CustomerId: $"70000000{n}",
        Email: $"Shopper.Number{n}@Example.ORG",
        Phone: $"+44 7700 90{n:D4}",
        FirstName: $"Firstname{n}x",
        LastName: $"Lastname{n}y",
        Ip: $"203.0.113.{100 + n}",
        UserAgent: $"PersonalBrowser{n}/9.{n}",
        Cart: $"cart-shopper-{n}-{Guid.NewGuid():N}",
        Checkout: $"{Guid.NewGuid():N}",
        OrderId: $"81000000{n}",
        PoisonOrderId: $"82000000{n}");

    public IEnumerable<HttpRequestMessage> Requests(Uri ingest)
    {
        yield return Visit(ingest);
        yield return Webhook(ingest, "carts/create", $$"""{"id":"{{Cart}}","token":"{{Cart}}","line_items":[{"variant_id":4711,"product_id":42,"quantity":1,"price":"10.00"}]}""");
        yield return Webhook(ingest, "checkouts/create", $$"""{"token":"{{Checkout}}","cart_token":"{{Cart}}","email":"{{Email}}","phone":"{{Phone}}"}""");
        yield return Webhook(ingest, "orders/create", Order(OrderId, DateTime.UtcNow.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture)));
        // Never a date, and personal data where the date should be: the enricher dead-letters the order at
        // once, with its raw body, and its error quotes the value it refused.
        yield return Webhook(ingest, "orders/create", Order(PoisonOrderId, Email));
    }

    public HttpRequestMessage Webhook(Uri ingest, string topic, string body)
    {
        var request = ShopifySamples.SignedWebhook(ingest, Encoding.UTF8.GetBytes(body), Secret, Shop, topic);
        request.Headers.Add("X-Shopify-Triggered-At", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        return request;
    }

    public string RedactBody(params string[] orders) =>
        $$"""{"shop_id":954889,"shop_domain":"{{Shop}}","customer":{"id":{{CustomerId}},"email":"{{Email.ToLowerInvariant()}}","phone":"{{Phone}}"},"orders_to_redact":[{{string.Join(',', orders)}}]}""";

    public string DataRequestBody(params string[] orders) =>
        $$"""{"shop_id":954889,"shop_domain":"{{Shop}}","customer":{"id":{{CustomerId}},"email":"{{Email}}","phone":"{{Phone}}"},"orders_requested":[{{string.Join(',', orders)}}],"data_request":{"id":9999} }""";

    private string Order(string id, string createdAt) =>
        $$"""
        {"id":{{id}},"source_name":"web","created_at":"{{createdAt}}","currency":"EUR","presentment_currency":"EUR",
         "subtotal_price":"10.00","total_price":"12.00","cart_token":"{{Cart}}","checkout_token":"{{Checkout}}",
         "email":"{{Email}}","phone":"{{Phone}}","browser_ip":"{{Ip}}","client_details":{"browser_ip":"{{Ip}}","user_agent":"{{UserAgent}}"},
         "customer":{"id":{{CustomerId}},"email":"{{Email}}","phone":"{{Phone}}","first_name":"{{FirstName}}","last_name":"{{LastName}}"},
         "billing_address":{"first_name":"{{FirstName}}","last_name":"{{LastName}}","city":"Leeds","country_code":"GB","zip":"LS1 1AA","phone":"{{Phone}}"},
         "line_items":[{"id":1,"variant_id":4711,"product_id":42,"quantity":1,"price":"10.00","title":"Mug"}]}
        """;

    private HttpRequestMessage Visit(Uri ingest)
    {
        var envelope = new JsonObject
        {
            ["shop"] = Shop,
            ["event_id"] = $"pv-{Guid.NewGuid():N}",
            ["click_id"] = "dj0yJnU9cHJpdmFjeQ",
            ["cart_token"] = Cart,
            ["checkout_token"] = null,
            ["consent"] = new JsonObject { ["analytics"] = true, ["marketing"] = true, ["preferences"] = false, ["sale_of_data"] = true },
            ["event"] = new JsonObject
            {
                ["id"] = $"sh-{Guid.NewGuid():N}",
                ["name"] = "page_viewed",
                ["timestamp"] = DateTime.UtcNow.AddMinutes(-2).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                ["clientId"] = $"{Guid.NewGuid()}",
                ["seq"] = 1,
                ["type"] = "standard",
                ["context"] = new JsonObject { ["document"] = new JsonObject { ["location"] = new JsonObject { ["href"] = $"https://{Shop}/?epik=dj0yJnU9cHJpdmFjeQ" } } },
                ["data"] = new JsonObject(),
            },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ingest, "/collect")) { Content = new StringContent(envelope.ToJsonString()) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain");
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Add("Origin", $"https://{Shop}");
        // Ingest trusts loopback as a proxy in these tests: the shopper's address is the forwarded one.
        request.Headers.Add("X-Forwarded-For", Ip);
        return request;
    }
}
