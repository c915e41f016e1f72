#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
#:property InvariantGlobalization=false
#:project ../../src/Ingest/Ingest.csproj
// Ingest's work on the real-size bodies of scripts/bench/per-order.cs, alone on one thread, no HTTP, no broker:
// the /collect envelope check (CollectEnvelope.Parse) for each of the three pixel events an order posts, parts of
// it, and the webhook's HMAC check and JSON pass for the 8.4 KB web order. Timed by the process's CPU time, not the
// wall clock, so that other work on a shared machine inflates it less (docs/benchmarks.md, "The whole path per order").
// Usage: cd scripts/bench && dotnet run -c Release collect-work.cs
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Streaming.Ingest.Storefront;
using Streaming.Ingest.Webhooks;

var fixtures = Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "..", "..", "tests", "Fixtures", "shopify");
var compact = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
string Compact(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(fixtures, file)))!.ToJsonString(compact);

var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

// The process's CPU time counts the JIT's background threads too: one whole pass first, unprinted, lets them finish.
Measurements(print: false);
Console.WriteLine($"one thread, CPU time of the process per call (median of 5 rounds); load average {File.ReadAllText("/proc/loadavg")[..14]}");
Console.WriteLine();
Measurements(print: true);

void Measurements(bool print)
{
    if (print)
    {
        Console.WriteLine("| body | bytes | CollectEnvelope.Parse | JsonDocument.Parse alone | event bytes via GetRawText + GetBytes | via JsonMarshal.GetRawUtf8Value |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    }

    foreach (var (file, checkout) in new[] { ("pixel-page_viewed.json", (string?)null), ("pixel-checkout_started.json", "4f9c2e7a1b8d43c6a05e9f3d7b2c8e16"), ("pixel-checkout_completed.json", "4f9c2e7a1b8d43c6a05e9f3d7b2c8e16") })
    {
        // As per-order.cs posts them: the fixture's event, its time now, inside the pixel's envelope.
        var shopifyEvent = (JsonObject)JsonNode.Parse(Compact(file))!;
        shopifyEvent["timestamp"] = now;
        var envelope = $$"""{"shop":"test-shop.myshopify.com","event_id":"ic_0000000000000000000001d1a94a2001","click_id":"dj0yJnU9UGVyT3JkZXI","cart_token":"Z2NwLXVzLWVhc3QxOjAxS0gzVjdRWjJNOFhXNFI2VDlCNU4wQ0RF","checkout_token":{{(checkout is null ? "null" : $"\"{checkout}\"")}},"consent":{"analytics":true,"marketing":true,"preferences":true,"sale_of_data":true},"event":{{shopifyEvent.ToJsonString(compact)}}}""";
        var body = Encoding.UTF8.GetBytes(envelope);
        var (parsed, error) = CollectEnvelope.Parse(body);
        if (parsed is null)
        {
            throw new InvalidOperationException($"{file}: {error}");
        }

        using var document = JsonDocument.Parse(body);
        var inner = document.RootElement.GetProperty("event");
        var parse = Measure(() => CollectEnvelope.Parse(body));
        var json = Measure(() => JsonDocument.Parse(body).Dispose());
        var viaText = Measure(() => Encoding.UTF8.GetBytes(inner.GetRawText()));
        var viaUtf8 = Measure(() => JsonMarshal.GetRawUtf8Value(inner).ToArray());
        if (print)
        {
            Console.WriteLine($"| /collect {file["pixel-".Length..^5]} | {body.Length:N0} | {parse:0.0} µs | {json:0.0} µs | {viaText:0.0} µs | {viaUtf8:0.0} µs |");
        }
    }

    var order = Encoding.UTF8.GetBytes(Compact("orders-create-web.json"));
    const string Secret = "perorder-webhook-secret-5d1c0a";
    var signature = WebhookSignature.Sign(order, Secret);
    string[] secrets = [Secret];
    var hmac = Measure(() => WebhookSignature.Matches(order, signature, secrets));
    var pass = Measure(() =>
    {
        var reader = new Utf8JsonReader(order);
        while (reader.Read())
        {
        }
    });
    if (print)
    {
        Console.WriteLine();
        Console.WriteLine($"webhook orders-create-web, {order.Length:N0} bytes: HMAC-SHA256 check {hmac:0.0} µs, one JSON pass {pass:0.0} µs");
    }
}

static double Measure(Action work)
{
    // Enough calls for about 0.2 s a round, after as many again to let tiered compilation finish.
    var calls = 1;
    var probe = Stopwatch.StartNew();
    while (probe.Elapsed < TimeSpan.FromMilliseconds(200))
    {
        for (var i = 0; i < calls; i++)
        {
            work();
        }

        calls *= 2;
    }

    var rounds = new double[5];
    for (var r = 0; r < rounds.Length; r++)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < calls; i++)
        {
            work();
        }

        rounds[r] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / calls;
    }

    Array.Sort(rounds);
    return rounds[rounds.Length / 2];
}
