using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Streaming.TestSupport;

/// <summary>
/// Shopify payloads from the repository's fixtures (tests/Fixtures/shopify, see the README there),
/// and webhook requests signed the way Shopify signs them.
/// </summary>
public static class ShopifySamples
{
    /// <summary>The folder of the repository's Shopify fixtures.</summary>
    public static string FixturesFolder => Path.Combine(RepositoryRoot(), "tests", "Fixtures", "shopify");

    /// <summary>The bytes of one fixture file, e.g. <c>orders-create-web.json</c>.</summary>
    public static byte[] Fixture(string fileName)
    {
        var path = Path.Combine(FixturesFolder, fileName);
        return File.Exists(path)
            ? File.ReadAllBytes(path)
            : throw new FileNotFoundException($"There is no Shopify fixture {fileName} in {FixturesFolder}.", path);
    }

    /// <summary>A web order (order 9007199254740993, an id above 2^53): an orders/create body.</summary>
    public static byte[] WebOrder() => Fixture("orders-create-web.json");

    /// <summary>A cancelled test order (<c>test: true</c>, <c>source_name: web</c>) with null tokens, shaped like Shopify's docs sample.</summary>
    public static byte[] DocsTestOrder() => Fixture("orders-create-test.json");

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
}

/// <summary>
/// The Shopify samples gathered outside the repository (<c>shared/samples/shopify</c> beside or above it, or
/// <c>SHOPIFY_SAMPLES_DIR</c>), for conformance tests only: a clone does not have them.
/// </summary>
public static class SharedSamples
{
    public const string EnvironmentVariable = "SHOPIFY_SAMPLES_DIR";

    private static readonly Lazy<(string? Folder, string LookedIn)> Located = new(Locate);

    public static bool Available => Located.Value.Folder is not null;

    /// <summary>The samples folder, or null when this machine has none.</summary>
    public static string? Folder => Located.Value.Folder;

    public static string SkipReason =>
        $"Shared Shopify samples not found (looked in {Located.Value.LookedIn}); set {EnvironmentVariable} to run this conformance test";

    /// <summary>The sample files, by name in ordinal order.</summary>
    public static IReadOnlyList<string> FileNames() =>
        [.. Directory.EnumerateFiles(RequiredFolder(), "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    public static byte[] Read(string fileName) => File.ReadAllBytes(Path.Combine(RequiredFolder(), fileName));

    /// <summary>
    /// The webhook bodies in one sample file: the file itself, or for a REST response envelope
    /// (<c>{"order": {…}}</c>, <c>{"carts": […]}</c>) each resource in it, re-serialized.
    /// </summary>
    public static IReadOnlyList<byte[]> Bodies(string fileName)
    {
        var file = Read(fileName);
        if (JsonNode.Parse(file) is JsonObject { Count: 1 } envelope)
        {
            switch (envelope.Single().Value)
            {
                case JsonObject resource:
                    return [Encoding.UTF8.GetBytes(resource.ToJsonString())];
                case JsonArray resources:
                    return [.. resources.OfType<JsonObject>().Select(r => Encoding.UTF8.GetBytes(r.ToJsonString()))];
            }
        }

        return [file];
    }

    private static string RequiredFolder() => Located.Value.Folder ?? throw new DirectoryNotFoundException(SkipReason);

    private static (string? Folder, string LookedIn) Locate()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Directory.Exists(configured)
                ? (configured, configured)
                : (null, $"{configured}, from {EnvironmentVariable}, which does not exist");
        }

        var root = ShopifySamples.RepositoryRoot();
        for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "samples", "shopify");
            if (Directory.Exists(candidate))
            {
                return (candidate, candidate);
            }
        }

        return (null, $"shared/samples/shopify in {root} and every folder above it");
    }
}

/// <summary>
/// A fact that needs the shared Shopify samples. Without them it is reported as skipped, with the reason
/// (xunit 2 has no skipping from inside a test).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SharedSamplesFactAttribute : FactAttribute
{
    public SharedSamplesFactAttribute()
    {
        if (!SharedSamples.Available)
        {
            Skip = SharedSamples.SkipReason;
        }
    }
}
