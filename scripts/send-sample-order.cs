// Posts a correctly signed orders/create webhook to a running Ingest, as Shopify would, stamped as placed now.
// Usage: dotnet run scripts/send-sample-order.cs [url] [secret] [shop] [body.json]
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

var url = args.ElementAtOrDefault(0) ?? "http://127.0.0.1:8080/webhooks/shopify";
var secret = args.ElementAtOrDefault(1) ?? "demo-webhook-secret";
var shop = args.ElementAtOrDefault(2) ?? "demo-shop.myshopify.com";
var bodyPath = args.ElementAtOrDefault(3) ?? Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "..", "samples", "orders-create.json");

// Stamped as placed now: Pinterest refuses events older than 7 days, and so does the dispatcher
// (Dispatcher:MaxEventAge), so a sample order of last month would only become a dead letter.
var order = JsonNode.Parse(await File.ReadAllTextAsync(bodyPath))!.AsObject();
var now = DateTimeOffset.Now.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
foreach (var field in new[] { "created_at", "updated_at", "processed_at" })
{
    if (order.ContainsKey(field))
    {
        order[field] = now;
    }
}

var body = Encoding.UTF8.GetBytes(order.ToJsonString());
var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
request.Content.Headers.ContentType = new("application/json");
request.Headers.Add("X-Shopify-Topic", "orders/create");
request.Headers.Add("X-Shopify-Shop-Domain", shop);
request.Headers.Add("X-Shopify-Hmac-Sha256", signature);
request.Headers.Add("X-Shopify-Webhook-Id", Guid.NewGuid().ToString());
request.Headers.Add("X-Shopify-API-Version", "2026-07");
request.Headers.Add("X-Shopify-Triggered-At", DateTime.UtcNow.ToString("O"));

using var client = new HttpClient();
using var response = await client.SendAsync(request);
Console.WriteLine($"POST {url} -> {(int)response.StatusCode} {response.ReasonPhrase}");
Console.WriteLine(await response.Content.ReadAsStringAsync());
return response.IsSuccessStatusCode ? 0 : 1;
