using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Streaming.TestSupport;

/// <summary>
/// Shopify payloads from the shared samples folder (../shared/samples/shopify beside the repository),
/// and webhook requests signed the way Shopify signs them.
/// </summary>
public static class ShopifySamples
{
    private static readonly Lazy<string> Folder = new(Locate);

    /// <summary>A web order (Shopify's python API fixture, order 450789469): the webhook body is the inner object.</summary>
    public static byte[] WebOrder() => Inner("orders-create-shopify-python-api-fixture-order-450789469.json", "order");

    /// <summary>Shopify's own orders/create sample: a cancelled test order with null tokens.</summary>
    public static byte[] DocsTestOrder() => File.ReadAllBytes(Path.Combine(Folder.Value, "orders-create-shopify-docs-sample-2026-07.json"));

    /// <summary>The repository's own demo order (samples/orders-create.json), the one the README posts.</summary>
    public static byte[] RepositoryDemoOrder() => File.ReadAllBytes(Path.Combine(RepositoryRoot(), "samples", "orders-create.json"));

    public static HttpRequestMessage SignedWebhook(Uri ingest, byte[] body, string secret, string shop, string topic = "orders/create", string? webhookId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ingest, "/webhooks/shopify")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Shopify-Topic", topic);
        request.Headers.Add("X-Shopify-Shop-Domain", shop);
        request.Headers.Add("X-Shopify-Webhook-Id", webhookId ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-API-Version", "2026-07");
        request.Headers.Add("X-Shopify-Hmac-Sha256", Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        return request;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Streaming.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Streaming.sln above {AppContext.BaseDirectory}.");
    }

    private static byte[] Inner(string file, string property)
    {
        var envelope = JsonNode.Parse(File.ReadAllBytes(Path.Combine(Folder.Value, file)))!;
        return Encoding.UTF8.GetBytes(envelope[property]!.ToJsonString());
    }

    private static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("SHOPIFY_SAMPLES_DIR");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Directory.Exists(configured)
                ? configured
                : throw new DirectoryNotFoundException($"SHOPIFY_SAMPLES_DIR is {configured}, which does not exist.");
        }

        var root = RepositoryRoot();
        for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "samples", "shopify");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"The Shopify samples were not found in shared/samples/shopify beside or above {root}. Set SHOPIFY_SAMPLES_DIR to that folder.");
    }
}
