#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
#:project ../../src/Ingest/Ingest.csproj
// The CPU time of the work Ingest must do for one signed webhook beyond reading it and writing it to Kafka,
// measured alone on one thread with no HTTP and no broker: the HMAC check, one JSON pass over the body,
// the duplicate-window claim and the Avro encoding of the record. docs/benchmarks.md sets it against the
// budget that scripts/bench/ingest.sh leaves for it between the pass-through and 0.6x of body-only.
// Usage: cd scripts/bench && dotnet run -c Release ingest-work.cs [-- BODY_FILE]
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Streaming.Ingest;
using Streaming.Ingest.Idempotency;
using Streaming.Ingest.Webhooks;
using Streaming.Kafka.Avro;
using Streaming.Records;
using Streaming.Development.Registry;

var bodyFile = args.Length > 0 ? args[0] : Path.Combine("..", "..", "samples", "orders-create.json");
var body = File.ReadAllBytes(bodyFile);
const string Secret = "bench-secret";
var signature = WebhookSignature.Sign(body, Secret);
string[] secrets = [Secret];

var serdes = new AvroSerdes(new InMemorySchemaRegistry(), Options.Create(new SchemaRegistryOptions()));
var deliveries = new DeliveryDeduplicator(Options.Create(new IngestOptions()), TimeProvider.System);
var headers = new Dictionary<string, string>
{
    ["X-Shopify-Topic"] = "orders/create",
    ["X-Shopify-Shop-Domain"] = "bench-shop.myshopify.com",
    ["X-Shopify-API-Version"] = "2026-07",
    ["X-Shopify-Hmac-Sha256"] = signature,
    ["X-Shopify-Webhook-Id"] = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    ["X-Shopify-Triggered-At"] = "2026-12-04T05:00:00.000000Z",
    ["X-Shopify-Event-Id"] = "98880550-7158-44d4-b7cd-2c97c8a091b5",
};
var id = 0L;

Console.WriteLine($"body: {bodyFile}, {body.Length} bytes; one thread; median of 7 rounds of 200,000 calls each");
var hmac = Measure(() =>
{
    if (!WebhookSignature.Matches(body, signature, secrets))
    {
        throw new InvalidOperationException("signature");
    }
});
var json = Measure(() => JsonPass(body));
var claim = Measure(() =>
{
    var (state, c) = deliveries.ClaimAsync("bench-shop.myshopify.com", $"bench-{id++}", TimeSpan.FromSeconds(5), CancellationToken.None).GetAwaiter().GetResult();
    if (state != DeliveryState.New)
    {
        throw new InvalidOperationException("claim");
    }

    c!.Complete(stored: true);
});
var avro = Measure(() => serdes.SerializeAsync(new ShopifyWebhook
{
    WebhookId = headers["X-Shopify-Webhook-Id"],
    Topic = "orders/create",
    ShopDomain = "bench-shop.myshopify.com",
    ApiVersion = "2026-07",
    EventId = headers["X-Shopify-Event-Id"],
    TriggeredAt = headers["X-Shopify-Triggered-At"],
    ReceivedAt = DateTime.UtcNow,
    Headers = headers,
    Body = body.ToArray(),
}, "shopify.webhooks").GetAwaiter().GetResult());

Console.WriteLine($"HMAC-SHA256 check          {hmac,8:0.00} µs");
Console.WriteLine($"one JSON pass (validation) {json,8:0.00} µs");
Console.WriteLine($"duplicate-window claim     {claim,8:0.00} µs");
Console.WriteLine($"Avro encoding              {avro,8:0.00} µs");
Console.WriteLine($"sum                        {hmac + json + claim + avro,8:0.00} µs per webhook");

static void JsonPass(byte[] body)
{
    var reader = new Utf8JsonReader(body);
    while (reader.Read())
    {
    }
}

static double Measure(Action work)
{
    const int Calls = 200_000;
    for (var i = 0; i < Calls; i++)
    {
        work(); // warm-up: lets tiered compilation reach its optimized code first
    }

    var rounds = new double[7];
    for (var r = 0; r < rounds.Length; r++)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Calls; i++)
        {
            work();
        }

        rounds[r] = Stopwatch.GetElapsedTime(started).TotalMicroseconds / Calls;
    }

    Array.Sort(rounds);
    return rounds[rounds.Length / 2];
}
