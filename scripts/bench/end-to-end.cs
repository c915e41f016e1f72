#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
#:property InvariantGlobalization=false
#:project Support/BenchSupport.csproj
// End-to-end latency of the all-in-one process (docs/benchmarks.md, "End to end"). It starts the Pipeline
// (src/Pipeline, Release build, embedded broker) as a child process against a Pinterest stand-in on loopback
// Kestrel, posts each order's storefront session to /collect, then the signed orders/create webhook half a
// second later, at a steady rate, and measures from the webhook's 200 to Pinterest's request carrying that
// order. The sessions are there before their orders, so no order waits out the enricher's grace period.
// Usage (from scripts/bench): dotnet run -c Release end-to-end.cs -- [orders=300] [per second=20] [extra settings as Key=Value ...]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Streaming.Bench;

var orders = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
var perSecond = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var extra = args.Skip(2).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

const string Shop = "bench-shop.myshopify.com";
const string Secret = "bench-webhook-secret";
const string AdAccount = "549755813888";
var repo = Path.GetFullPath(Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "..", ".."));

// Pinterest's side (scripts/bench/Support): when each event id arrived.
await using var pinterest = await PinterestStandIn.StartAsync(recordArrivals: true);
var arrived = pinterest.Arrivals!;
var pinterestUrl = pinterest.Url;
long Calls() => pinterest.Requests.Values.Sum();

Run("dotnet", $"build -c Release -v q -nologo {Path.Combine(repo, "src", "Pipeline", "Pipeline.csproj")}");
var port = FreePort();
var ingest = new Uri($"http://127.0.0.1:{port}");
var state = Directory.CreateTempSubdirectory("e2e-bench-");
var settings = new Dictionary<string, string>
{
    ["Urls"] = ingest.ToString(),
    // Production refuses the in-process stand-ins unless they are asked for by name.
    ["Kafka__UseEmbeddedBroker"] = "true",
    ["SchemaRegistry__UseInMemoryRegistry"] = "true",
    ["Pinterest__BaseUrl"] = pinterestUrl,
    ["Pinterest__DryRunFile"] = Path.Combine(state.FullName, "dry-run.jsonl"),
    ["Enricher__State__Directory"] = Path.Combine(state.FullName, "enricher"),
    ["Dispatcher__State__Directory"] = Path.Combine(state.FullName, "dispatcher"),
    ["Shops__0__Domain"] = Shop,
    ["Shops__0__WebhookSecrets__0"] = Secret,
    ["Shops__0__Pinterest__AdAccountId"] = AdAccount,
    ["Shops__0__Pinterest__ConversionToken"] = "bench-token",
    ["Logging__LogLevel__Default"] = "Warning",
    // Every request comes from this one address; shoppers come from many.
    ["Storefront__RequestsPerMinutePerClient"] = "1000000",
};
foreach (var (key, value) in extra)
{
    settings[key.Replace(":", "__", StringComparison.Ordinal)] = value;
}

var start = new ProcessStartInfo("dotnet", Path.Combine(repo, "src", "Pipeline", "bin", "Release", "net10.0", "Streaming.Pipeline.dll"))
{
    WorkingDirectory = state.FullName,
    RedirectStandardOutput = true,
    RedirectStandardError = true,
};
start.Environment["DOTNET_ENVIRONMENT"] = "Production";
start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
foreach (var (key, value) in settings)
{
    start.Environment[key] = value;
}

using var pipeline = Process.Start(start)!;
pipeline.OutputDataReceived += (_, e) => Echo(e.Data);
pipeline.ErrorDataReceived += (_, e) => Echo(e.Data);
pipeline.BeginOutputReadLine();
pipeline.BeginErrorReadLine();

using var http = new HttpClient { BaseAddress = ingest };
try
{
    await WaitReadyAsync();

    // A warm-up round at the same rate, on order ids of its own, so that JIT and connections are settled.
    await RunRoundAsync(1_000_000, Math.Min(orders, 100), measure: false);
    var callsBefore = Calls();
    var roundWatch = Stopwatch.StartNew();
    var (webhookOk, lost) = await RunRoundAsync(2_000_000, orders, measure: true);
    var roundCalls = Calls() - callsBefore;
    var roundSeconds = roundWatch.Elapsed.TotalSeconds;

    var latencies = webhookOk.Select(o => Stopwatch.GetElapsedTime(o.Value, arrived[o.Key].At).TotalMilliseconds).Order().ToArray();
    Console.WriteLine($"orders {orders} at {perSecond}/s, settings: {(extra.Count == 0 ? "defaults" : string.Join(", ", extra.Select(p => $"{p.Key}={p.Value}")))}");
    Console.WriteLine($"webhook 200 -> Pinterest request: p50 {Percentile(latencies, 0.50):F0} ms, p90 {Percentile(latencies, 0.90):F0} ms, p99 {Percentile(latencies, 0.99):F0} ms, max {latencies[^1]:F0} ms");
    Console.WriteLine($"Pinterest calls {Calls()} (both rounds); orders not seen by Pinterest: {lost}");
    // The one ad account's calls a minute over the measured round (its budget: Dispatcher:RequestsPerMinute, 5,000 by default).
    Console.WriteLine($"measured round: {roundCalls} calls in {roundSeconds:0.0} s = {roundCalls / roundSeconds * 60:0} calls/min, {(double)orders / Math.Max(1, roundCalls):0.0} orders per call");
}
finally
{
    pipeline.Kill(entireProcessTree: true);
    await pipeline.WaitForExitAsync();
    state.Delete(recursive: true);
}

async Task<(Dictionary<string, long> WebhookOk, int Lost)> RunRoundAsync(long firstId, int count, bool measure)
{
    var ok = new ConcurrentDictionary<string, long>();
    var period = TimeSpan.FromSeconds(1 / perSecond);
    const int SessionLead = 10;
    var sends = new List<Task>();
    var started = Stopwatch.GetTimestamp();
    // Step i posts the session of order i and the webhook of order i - SessionLead.
    for (var step = 0; step < count + SessionLead; step++)
    {
        var due = started + (long)(step * period.TotalSeconds * Stopwatch.Frequency);
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        if (step < count)
        {
            sends.Add(PostSessionAsync(firstId + step));
        }

        if (step >= SessionLead)
        {
            var id = firstId + step - SessionLead;
            sends.Add(PostOrderAsync(id, ok));
        }
    }

    await Task.WhenAll(sends);
    var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
    while (ok.Keys.Any(id => !arrived.ContainsKey(id)) && Stopwatch.GetTimestamp() < deadline)
    {
        await Task.Delay(50);
    }

    var lost = ok.Keys.Count(id => !arrived.ContainsKey(id));
    if (!measure)
    {
        Console.Error.WriteLine($"warm-up: {count} orders, {lost} not seen by Pinterest");
    }

    return (ok.Where(o => arrived.ContainsKey(o.Key)).ToDictionary(), lost);
}

async Task PostSessionAsync(long id)
{
    var envelope = new JsonObject
    {
        ["shop"] = Shop,
        ["event_id"] = $"pv-{id}",
        ["click_id"] = "dj0yJnU9YmVuY2g",
        ["cart_token"] = $"cart-{id}",
        ["checkout_token"] = null,
        ["consent"] = new JsonObject { ["analytics"] = true, ["marketing"] = true, ["preferences"] = false, ["sale_of_data"] = true },
        ["event"] = new JsonObject
        {
            ["id"] = $"sh-{id}",
            ["name"] = "checkout_started",
            ["timestamp"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["clientId"] = $"client-{id}",
            ["seq"] = 1,
            ["type"] = "standard",
            ["context"] = new JsonObject { ["document"] = new JsonObject { ["location"] = new JsonObject { ["href"] = $"https://{Shop}/checkouts?epik=dj0yJnU9YmVuY2g" } } },
            ["data"] = new JsonObject(),
        },
    };
    using var request = new HttpRequestMessage(HttpMethod.Post, "/collect") { Content = new StringContent(envelope.ToJsonString(), Encoding.UTF8, "text/plain") };
    request.Headers.Add("Origin", $"https://{Shop}");
    request.Headers.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) Bench/1.0");
    using var response = await http.SendAsync(request);
    if (!response.IsSuccessStatusCode)
    {
        Console.Error.WriteLine($"session {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

async Task PostOrderAsync(long id, ConcurrentDictionary<string, long> ok)
{
    var body = Encoding.UTF8.GetBytes($$"""
        {"id":{{id}},"source_name":"web","test":false,"cart_token":"cart-{{id}}","email":"shopper{{id}}@example.com",
         "created_at":"{{DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)}}","currency":"EUR","presentment_currency":"EUR",
         "subtotal_price":"42.00","total_price":"47.00","browser_ip":"198.51.100.7",
         "line_items":[{"id":1,"product_id":2,"variant_id":3,"title":"Mug","quantity":1,"price":"42.00"}]}
        """);
    using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new ByteArrayContent(body) };
    request.Content.Headers.ContentType = new("application/json");
    request.Headers.Add("X-Shopify-Topic", "orders/create");
    request.Headers.Add("X-Shopify-Shop-Domain", Shop);
    request.Headers.Add("X-Shopify-Hmac-Sha256", Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)));
    request.Headers.Add("X-Shopify-Webhook-Id", Guid.NewGuid().ToString());
    request.Headers.Add("X-Shopify-API-Version", "2026-07");
    request.Headers.Add("X-Shopify-Triggered-At", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
    using var response = await http.SendAsync(request);
    var answered = Stopwatch.GetTimestamp();
    if (response.StatusCode == HttpStatusCode.OK)
    {
        ok[id.ToString(CultureInfo.InvariantCulture)] = answered;
    }
    else
    {
        Console.Error.WriteLine($"order {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

async Task WaitReadyAsync()
{
    var deadline = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
    while (Stopwatch.GetTimestamp() < deadline)
    {
        if (pipeline.HasExited)
        {
            throw new InvalidOperationException($"The pipeline exited with {pipeline.ExitCode}.");
        }

        try
        {
            using var ready = await http.GetAsync("/readyz");
            if (ready.IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
        }

        await Task.Delay(250);
    }

    throw new TimeoutException("The pipeline was not ready within 2 minutes.");
}

static void Echo(string? line)
{
    if (line is not null)
    {
        Console.Error.WriteLine($"  pipeline: {line}");
    }
}

static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static void Run(string file, string arguments)
{
    using var process = Process.Start(new ProcessStartInfo(file, arguments))!;
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}.");
    }
}
