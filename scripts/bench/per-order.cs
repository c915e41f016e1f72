#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
#:property InvariantGlobalization=false
#:project ../../src/Development/Development.csproj
#:project ../../tests/TestSupport/TestSupport.csproj
#:project Support/BenchSupport.csproj
// The whole path per order (docs/benchmarks.md, "The whole path per order (issue 26 part 3)").
//
// Every order is fresh: its own order id, cart token, checkout token, event ids, click id and current times.
// For each order a generator posts the storefront session to Ingest's /collect as src/Pixel posts it
// (page_viewed with an ?epik= click id, then checkout_started and checkout_completed, real fixture shapes),
// then the HMAC-signed orders/create webhook, so that the enricher stitches the click id onto every order and
// the dispatcher sends every order to a Pinterest stand-in that answers 200 as Pinterest does.
//
// Each part runs as its own process, so that the CPU time of each comes from its own counters
// (/proc/<pid>/stat utime + stime): the embedded broker (librdkafka mock cluster) with an HTTP schema
// registry, the Pinterest stand-in, Ingest, the Enricher and the Dispatcher (their Release builds, Production
// settings), and the load generator. This script's own process only starts them, samples the consumer groups'
// lag every few seconds and reports.
//
// Usage (from scripts/bench): dotnet run -c Release per-order.cs -- [orders/s=2000] [seconds=30] [warm-up seconds=10]
// Environment: PERORDER_WARMUP_RATE (warm-up orders/s, default min(rate, 300)), PERORDER_DRAIN (seconds to wait
// for the last orders after the load, default 60), PERORDER_SAMPLE (lag sampling period in seconds, default 2),
// PERORDER_MAX_IN_FLIGHT (orders the generator keeps open before it skips and counts one, default 4000),
// PERORDER_CONNECTIONS (the generator's connections to Ingest at most, default 256),
// PERORDER_TIMEOUT (seconds for the whole run after the build, default 300 + seconds + warm-up),
// PERORDER_ALLINONE=1 (the all-in-one src/Pipeline in one process instead of the three services),
// PERORDER_IDLE (seconds of idle CPU measured after the warm-up, default 10; 0: none),
// PERORDER_KEEP=1 (keep the logs and state directory; kept anyway when the run is not complete),
// PERORDER_NO_BUILD=1 (use the Release builds already there).
// The services get PATH, HOME, DOTNET_ROOT, TMPDIR, LANG and every DOTNET_* variable (runtime knobs) of this environment, nothing else.
// The embedded broker keeps about 5 MiB per partition and drops the oldest records past it, read or not: a
// consumer that falls further behind loses input. The lag sampler says when that happened, and the report
// counts every order that did not reach Pinterest with its click id.
//
// Roles: the same program runs as each helper process: "broker", "pinterest", "generate" (see the classes below).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Streaming.Bench;
using Streaming.Development.Kafka;
using Streaming.Records;
using Streaming.TestSupport;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return args.FirstOrDefault() switch
{
    "broker" => await BrokerRole.RunAsync(),
    "pinterest" => await PinterestRole.RunAsync(),
    "generate" => await GeneratorRole.RunAsync(args[1..]),
    _ => await Orchestrator.RunAsync(args),
};

/// <summary>What every process of the run agrees on: the shop, its secret, ids derived from an order number.</summary>
static class Bench
{
    public const string Shop = "perorder-shop.myshopify.com";
    public const string Secret = "perorder-webhook-secret-5d1c0a";
    public const string AdAccount = "549755813888";

    // The shape of a Pinterest conversion access token ("pina_" and a long base64 body), not a real one.
    public const string ConversionToken = "pina_AMAZJXQWAAZXGAQAGDAB4DBCLUQBDEQBACGSOCAN4YEN7UOBGO6DFEAHGIBE5MDEFGGO6YSTA3NZCODZTQWCBDU2PGE4XZRYNQCPEOQA";

    public static string Repo { get; } = Path.GetFullPath(Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "..", ".."));

    public static string Epik(long order) => $"dj0yJnU9UGVyT3JkZXI{order}";

    public static string CartToken(long order) => $"Z2NwLXBlcm9yZGVyOjAx{order}";

    public static string CheckoutToken(long order) => order.ToString("x32", CultureInfo.InvariantCulture);

    /// <summary>The pixel's checkout_started event id: "ic_" and 32 hex digits, here the order number's.</summary>
    public static string InitiateCheckoutId(long order) => "ic_" + order.ToString("x32", CultureInfo.InvariantCulture);

    public static long? OrderOfInitiateCheckout(string eventId) =>
        eventId.StartsWith("ic_", StringComparison.Ordinal) && long.TryParse(eventId.AsSpan(3), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Waits for stdin's end: the parent is gone (its pipe closed), so this helper goes too. Lines before it go to <paramref name="onLine"/>.</summary>
    public static Task ParentGoneAsync(Action<string>? onLine = null) => Task.Run(() =>
    {
        while (Console.In.ReadLine() is { } line)
        {
            onLine?.Invoke(line);
        }
    });

    /// <summary>SIGTERM or SIGINT, as a task.</summary>
    public static Task SignalAsync(out IDisposable[] registrations)
    {
        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; signalled.TrySetResult(); }),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; signalled.TrySetResult(); }),
        ];
        return signalled.Task;
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>The embedded broker with every pipeline topic under its default name, and a schema registry over HTTP for all processes.</summary>
static class BrokerRole
{
    public static async Task<int> RunAsync()
    {
        using var cluster = new EmbeddedKafkaCluster();
        foreach (var topic in new[]
                 {
                     ShopifyWebhook.KafkaTopic, StorefrontEvent.KafkaTopic, PinterestEvent.KafkaTopic, DeadLetter.KafkaTopic,
                     EnricherState.KafkaTopic, PinterestDelivery.KafkaTopic, DeliveredEvent.KafkaTopic, EnrichmentOutcome.KafkaTopic,
                     PrivacyReport.KafkaTopic,
                 })
        {
            cluster.CreateTopic(topic.Defaults());
        }

        // The HTTP registry the tests use (tests/TestSupport): each service reaches it as it would a real one.
        await using var registry = await SchemaRegistryStandIn.StartAsync();
        Console.WriteLine($"READY bootstrap={cluster.BootstrapServers} registry={registry.BaseUrl}");
        // The services are started by the script, not by this process: should the script die without its cleanup
        // (SIGKILL), its pipe here closes, and this process ends the services it was told about ("watch <pid>").
        var watched = new ConcurrentBag<int>();
        var parentGone = Bench.ParentGoneAsync(line =>
        {
            if (line.StartsWith("watch ", StringComparison.Ordinal) && int.TryParse(line.AsSpan(6), CultureInfo.InvariantCulture, out var pid))
            {
                watched.Add(pid);
            }
        });
        if (await Task.WhenAny(parentGone, Bench.SignalAsync(out var signals)) == parentGone)
        {
            // SIGTERM, and the broker stays up while they stop (they commit and close against it); SIGKILL after 15 s.
            foreach (var pid in watched)
            {
                _ = Native.kill(pid, Native.SigTerm);
            }

            for (var i = 0; i < 150 && watched.Any(pid => Native.kill(pid, 0) == 0); i++)
            {
                await Task.Delay(100);
            }

            foreach (var pid in watched)
            {
                _ = Native.kill(pid, Native.SigKill);
            }
        }

        foreach (var signal in signals)
        {
            signal.Dispose();
        }

        return 0;
    }
}

/// <summary>
/// Pinterest's Conversions API as the dispatcher meets it (scripts/bench/Support: 200 with one "processed" per
/// event), keeping each event id's first arrival, click id and count, with two routes of this benchmark's own
/// to read them from the script's process.
/// </summary>
static class PinterestRole
{
    public static async Task<int> RunAsync()
    {
        await using var pinterest = await PinterestStandIn.StartAsync(recordArrivals: true, (app, standIn) =>
        {
            var arrivals = standIn.Arrivals!;
            // How many checkout events (event id = order id) of orders from..to-1 arrived.
            app.MapGet("/bench/orders", (long from, long to) =>
            {
                var n = 0;
                foreach (var key in arrivals.Keys)
                {
                    if (long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var order) && order >= from && order < to)
                    {
                        n++;
                    }
                }

                return Results.Text(n.ToString(CultureInfo.InvariantCulture));
            });
            app.MapGet("/bench/arrivals", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain";
                var text = new StringBuilder();
                text.Append(CultureInfo.InvariantCulture, $"# requests {standIn.Requests.Values.Sum()} events {standIn.Accepted.Values.Sum()} cpu_ms {Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds:0}\n");
                foreach (var (id, a) in arrivals)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{id}\t{a.ClickId}\t{a.At}\t{a.Times}\t{a.Name}\n");
                }

                await context.Response.WriteAsync(text.ToString());
            });
        });
        Console.WriteLine($"READY url={pinterest.Url}");
        await Task.WhenAny(Bench.ParentGoneAsync(), Bench.SignalAsync(out var signals));
        foreach (var signal in signals)
        {
            signal.Dispose();
        }

        return 0;
    }
}

/// <summary>A fixture's compact JSON with markers (@@NAME@@) where each order puts its own values.</summary>
sealed class Template
{
    private readonly string[] _parts;
    private readonly string[] _names;

    public Template(string fixture, IEnumerable<(string Value, string Name)> holes)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Bench.Repo, "tests", "Fixtures", "shopify", fixture)))!
            .ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json = json.Replace("test-shop.myshopify.com", Bench.Shop, StringComparison.Ordinal);
        foreach (var (value, name) in holes)
        {
            if (!json.Contains(value, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{fixture} has no '{value}' for @@{name}@@.");
            }

            json = json.Replace(value, $"@@{name}@@", StringComparison.Ordinal);
        }

        var pieces = Regex.Split(json, "@@([A-Z]+)@@");
        _parts = [.. pieces.Where((_, i) => i % 2 == 0)];
        _names = [.. pieces.Where((_, i) => i % 2 == 1)];
    }

    public string Render(IReadOnlyDictionary<string, string> values)
    {
        var text = new StringBuilder(_parts.Sum(p => p.Length) + 256);
        for (var i = 0; i < _parts.Length; i++)
        {
            text.Append(_parts[i]);
            if (i < _names.Length)
            {
                text.Append(values[_names[i]]);
            }
        }

        return text.ToString();
    }
}

/// <summary>
/// The load: orders started open-loop on a fixed schedule (one every 1/rate s, whatever the answers), each
/// posting its session to /collect and then its webhook. Writes one line per order and a summary line.
/// </summary>
static class GeneratorRole
{
    private const string CartFixture = "Z2NwLXVzLWVhc3QxOjAxS0gzVjdRWjJNOFhXNFI2VDlCNU4wQ0RF";
    private const string CheckoutFixture = "4f9c2e7a1b8d43c6a05e9f3d7b2c8e16";
    private const string OrderFixture = "9007199254740993";
    private const string EpikFixture = "dj0yJnU9S0tmaXh0dXJlJm49WmVvJm09Mg";

    private sealed class Outcome
    {
        public bool Sent;
        public int[] CollectStatus = new int[3];
        public double[] CollectMs = new double[3];
        public int WebhookStatus;
        public long WebhookSentAt;
        public double WebhookMs = double.NaN;
        public string? Error;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var ingest = new Uri(args[0]);
        var maxInFlight = int.Parse(args[1], CultureInfo.InvariantCulture);

        var pageViewed = new Template("pixel-page_viewed.json", [("sh-3a9f1c2e-7B4D-4E8A-9C1F-2D6E8A4B7C90", "SHID"), ("2026-02-11T14:05:12.481Z", "TS"), (EpikFixture, "EPIK")]);
        var checkoutStarted = new Template("pixel-checkout_started.json", [("sh-9c4e6a83-2F7B-4D1A-8E3C-0B5D7F9A1C24", "SHID"), ("2026-02-11T14:21:30.019Z", "TS"), (CheckoutFixture, "CHECKOUT"), (CartFixture, "CART")]);
        var checkoutCompleted = new Template("pixel-checkout_completed.json", [("sh-9c4e6a83-A3D5-4B7F-9C1E-6D8F0A2B4C46", "SHID"), ("2026-02-11T14:26:58.377Z", "TS"), (CheckoutFixture, "CHECKOUT"), (CartFixture, "CART"), (OrderFixture, "ORDER")]);
        // The landing site loses its click id: only the session may give the order one.
        var order = new Template("orders-create-web.json", [("?epik=" + EpikFixture + "&", "LANDQ"), (OrderFixture, "ORDER"), (CartFixture, "CART"), (CheckoutFixture, "CHECKOUT"), ("a7e31c90d54b4f28b6e2c1f08d97a3b5", "TOKEN"), ("2026-02-11T09:26:53-05:00", "NOW"), ("2026-02-11T09:26:55-05:00", "UPDATED")]);
        var secret = Encoding.UTF8.GetBytes(Bench.Secret);

        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            // Like wrk's -c: Ingest refuses connections past Ingest:MaxConcurrentConnections (2,000), and one connection
            // per open request would reach it under load. A request waiting for a connection counts in its latency.
            MaxConnectionsPerServer = int.Parse(Environment.GetEnvironmentVariable("PERORDER_CONNECTIONS") ?? "256", CultureInfo.InvariantCulture),
        })
        { BaseAddress = ingest, Timeout = TimeSpan.FromSeconds(30) };

        // One process for every run (warm-up, then the measured one), so that its own JIT is behind it when it counts.
        // Commands on stdin, one a line: "run <orders/s> <seconds> <first order number> <output file>"; its end ends this process.
        Console.WriteLine("READY role=generator");
        while (await Console.In.ReadLineAsync() is { } command)
        {
            var words = command.Split(' ');
            await RunOnceAsync(double.Parse(words[1], CultureInfo.InvariantCulture), double.Parse(words[2], CultureInfo.InvariantCulture),
                long.Parse(words[3], CultureInfo.InvariantCulture), words[4]);
            Console.WriteLine("DONE " + words[4]);
        }

        return 0;

        async Task RunOnceAsync(double rate, double seconds, long first, string output)
        {
            var total = (long)Math.Round(rate * seconds);
            var outcomes = new Outcome[total];
            var tasks = new List<Task>((int)Math.Min(total, 1_000_000));
            var inFlight = 0;
            var skipped = 0;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            double maxBehindMs = 0;
            for (long i = 0; i < total;)
            {
                var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                var due = Math.Min(total, (long)(elapsed * rate) + 1);
                if (due > i + 1)
                {
                    maxBehindMs = Math.Max(maxBehindMs, (due - i - 1) / rate * 1000);
                }

                for (; i < due; i++)
                {
                    var outcome = outcomes[i] = new Outcome();
                    if (Volatile.Read(ref inFlight) >= maxInFlight)
                    {
                        skipped++;
                        continue;
                    }

                    Interlocked.Increment(ref inFlight);
                    tasks.Add(OrderAsync(first + i, outcome));
                }

                Thread.Sleep(1);
            }

            var loadSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var cpuLoad = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
            var waited = Task.WhenAll(tasks);
            await Task.WhenAny(waited, Task.Delay(TimeSpan.FromSeconds(45)));
            var cpuAll = Process.GetCurrentProcess().TotalProcessorTime - cpu0;

            var lines = new StringBuilder();
            lines.Append(CultureInfo.InvariantCulture, $"# first {first} total {total} skipped {skipped} load_s {loadSeconds:0.000} max_behind_ms {maxBehindMs:0.0} cpu_load_ms {cpuLoad.TotalMilliseconds:0} cpu_all_ms {cpuAll.TotalMilliseconds:0} unfinished {tasks.Count(t => !t.IsCompleted)}\n");
            for (var i = 0; i < total; i++)
            {
                var o = outcomes[i];
                lines.Append(CultureInfo.InvariantCulture,
                    $"{first + i}\t{(o.Sent ? 1 : 0)}\t{string.Join(',', o.CollectStatus)}\t{string.Join(',', o.CollectMs.Select(m => m.ToString("0.000", CultureInfo.InvariantCulture)))}\t{o.WebhookStatus}\t{o.WebhookSentAt}\t{o.WebhookMs:0.000}\t{o.Error}\n");
            }

            await File.WriteAllTextAsync(output, lines.ToString());

            async Task OrderAsync(long n, Outcome outcome)
            {
                try
                {
                    outcome.Sent = true;
                    var cart = Bench.CartToken(n);
                    var checkout = Bench.CheckoutToken(n);
                    var epik = Bench.Epik(n);
                    var hex = n.ToString("x12", CultureInfo.InvariantCulture);
                    // As pixel.js posts them: page_viewed (the landing page with ?epik=), then the checkout's events,
                    // each with the click id from the _epik cookie, the cart token and (checkout events) the checkout token.
                    (string Id, string? Checkout, Template Event, string ShopifyId)[] session =
                    [
                        ("pv_" + n.ToString("x32", CultureInfo.InvariantCulture), null, pageViewed, $"sh-{hex[..8]}-0001-4000-8000-{hex}"),
                        (Bench.InitiateCheckoutId(n), checkout, checkoutStarted, $"sh-{hex[..8]}-0002-4000-8000-{hex}"),
                        (n.ToString(CultureInfo.InvariantCulture), checkout, checkoutCompleted, $"sh-{hex[..8]}-0003-4000-8000-{hex}"),
                    ];
                    for (var s = 0; s < session.Length; s++)
                    {
                        var (id, checkoutToken, template, shopifyId) = session[s];
                        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                        var shopifyEvent = template.Render(new Dictionary<string, string>
                        {
                            ["SHID"] = shopifyId, ["TS"] = now, ["EPIK"] = epik, ["CHECKOUT"] = checkout, ["CART"] = cart, ["ORDER"] = n.ToString(CultureInfo.InvariantCulture),
                        });
                        var envelope = $$"""{"shop":"{{Bench.Shop}}","event_id":"{{id}}","click_id":"{{epik}}","cart_token":"{{cart}}","checkout_token":{{(checkoutToken is null ? "null" : $"\"{checkoutToken}\"")}},"consent":{"analytics":true,"marketing":true,"preferences":true,"sale_of_data":true},"event":{{shopifyEvent}}}""";
                        using var request = new HttpRequestMessage(HttpMethod.Post, "/collect") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(envelope)) };
                        request.Content.Headers.ContentType = new("text/plain") { CharSet = "UTF-8" };
                        request.Headers.Add("Origin", $"https://{Bench.Shop}");
                        request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36");
                        var sent = Stopwatch.GetTimestamp();
                        using var answer = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                        outcome.CollectMs[s] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                        outcome.CollectStatus[s] = (int)answer.StatusCode;
                    }

                    var created = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
                    var body = Encoding.UTF8.GetBytes(order.Render(new Dictionary<string, string>
                    {
                        ["LANDQ"] = "?", ["ORDER"] = n.ToString(CultureInfo.InvariantCulture), ["CART"] = cart, ["CHECKOUT"] = checkout,
                        ["TOKEN"] = n.ToString("x32", CultureInfo.InvariantCulture), ["NOW"] = created, ["UPDATED"] = created,
                    }));
                    using var webhook = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new ByteArrayContent(body) };
                    webhook.Content.Headers.ContentType = new("application/json");
                    webhook.Headers.Add("X-Shopify-Topic", "orders/create");
                    webhook.Headers.Add("X-Shopify-Shop-Domain", Bench.Shop);
                    webhook.Headers.Add("X-Shopify-Webhook-Id", Guid.NewGuid().ToString());
                    webhook.Headers.Add("X-Shopify-API-Version", "2026-07");
                    webhook.Headers.Add("X-Shopify-Triggered-At", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
                    webhook.Headers.Add("X-Shopify-Hmac-Sha256", Convert.ToBase64String(HMACSHA256.HashData(secret, body)));
                    outcome.WebhookSentAt = Stopwatch.GetTimestamp();
                    using var reply = await http.SendAsync(webhook, HttpCompletionOption.ResponseHeadersRead);
                    outcome.WebhookMs = Stopwatch.GetElapsedTime(outcome.WebhookSentAt).TotalMilliseconds;
                    outcome.WebhookStatus = (int)reply.StatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    outcome.Error = e.GetType().Name;
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }
        }
    }
}

static class Native
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    [DllImport("libc", SetLastError = true)]
    public static extern int kill(int pid, int sig);

    [DllImport("libc")]
    public static extern long sysconf(int name);

    /// <summary>Clock ticks per second of /proc/&lt;pid&gt;/stat (_SC_CLK_TCK is 2 on Linux).</summary>
    public static readonly long ClockTicks = sysconf(2) is > 0 and var t ? t : 100;
}

/// <summary>A process this run started: a helper role of this program or a service. Its console goes to a log file.</summary>
sealed class Child
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Threading.Channels.Channel<string> _done = System.Threading.Channels.Channel.CreateUnbounded<string>();

    private Child(string name, Process process, string log)
    {
        Name = name;
        _process = process;
        Log = log;
    }

    public string Name { get; }

    public string Log { get; }

    public int Pid => _process.Id;

    public bool Exited => _process.HasExited;

    public Process Process => _process;

    /// <summary>This program again in another role; its stdin is a pipe from here, so it ends when this process does, however that ends.</summary>
    public static Child Role(string name, string dir, params string[] arguments)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var log = Path.Combine(dir, $"{name}.log");
        var child = new Child(name, Process.Start(start)!, log);
        var writer = new StreamWriter(log) { AutoFlush = true };
        var gate = new Lock();
        void Line(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                writer.WriteLine(line);
            }

            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                child._ready.TrySetResult(line[6..]);
            }
            else if (line.StartsWith("DONE ", StringComparison.Ordinal))
            {
                child._done.Writer.TryWrite(line[5..]);
            }
        }

        child._process.OutputDataReceived += (_, e) => Line(e.Data);
        child._process.ErrorDataReceived += (_, e) => Line(e.Data);
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>A service's build output, started through sh's exec (the same pid) with its console into a file, in exactly this environment.</summary>
    public static Child Service(string name, string executable, string dir, IReadOnlyDictionary<string, string> environment)
    {
        var log = Path.Combine(dir, $"{name}.log");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(executable)! };
        foreach (var argument in new[] { "-c", "exec \"$0\" >\"$BENCH_LOG\" 2>&1", executable })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var key in new[] { "PATH", "HOME", "DOTNET_ROOT", "TMPDIR", "LANG" })
        {
            if (Environment.GetEnvironmentVariable(key) is { } value)
            {
                start.Environment[key] = value;
            }
        }

        // Runtime knobs (DOTNET_*) reach the services, so that a run can try one without a rebuild.
        foreach (var knob in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal)))
        {
            start.Environment[knob] = Environment.GetEnvironmentVariable(knob);
        }

        start.Environment["BENCH_LOG"] = log;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new Child(name, Process.Start(start)!, log);
    }

    /// <summary>The READY line's key=value pairs, within <paramref name="within"/>.</summary>
    public async Task<Dictionary<string, string>> ReadyAsync(TimeSpan within, CancellationToken stop)
    {
        var line = await _ready.Task.WaitAsync(within, stop);
        return line.Split(' ').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    /// <summary>A command line to a role that reads commands (the generator).</summary>
    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>The next DONE line's text, within <paramref name="within"/>.</summary>
    public async Task<string> DoneAsync(TimeSpan within, CancellationToken stop) =>
        await _done.Reader.ReadAsync(stop).AsTask().WaitAsync(within, stop);

    /// <summary>utime + stime in clock ticks, or null when the process is gone.</summary>
    public long? CpuTicks()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{Pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    public string Tail(int lines) => File.Exists(Log) ? string.Join('\n', File.ReadLines(Log).TakeLast(lines)) : "";

    /// <summary>SIGTERM, up to <paramref name="grace"/> to exit, then SIGKILL.</summary>
    public void Stop(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = Native.kill(Pid, Native.SigTerm);
        if (!_process.WaitForExit(grace))
        {
            _ = Native.kill(Pid, Native.SigKill);
            _process.WaitForExit(TimeSpan.FromSeconds(5));
        }
    }

    public void KillNow()
    {
        if (!_process.HasExited)
        {
            _ = Native.kill(Pid, Native.SigKill);
        }
    }
}

/// <summary>One look at a consumer group: records between its committed offsets and the partitions' ends, and records the broker dropped before the group read them.</summary>
sealed record GroupLag(long Lag, long DroppedUnread, long Produced);

sealed record LagSample(double AtSeconds, string Phase, GroupLag Enricher, GroupLag Dispatcher, long DeadLetters);

/// <summary>Samples the enricher's and the dispatcher's lag, as the Replay doctor's LagCheck reads it (a consumer that never subscribes).</summary>
sealed class LagSampler(string bootstrap, TimeSpan period) : IDisposable
{
    private static readonly string[] EnricherTopics = [ShopifyWebhook.KafkaTopic.DefaultName, StorefrontEvent.KafkaTopic.DefaultName];
    private static readonly string[] DispatcherTopics = [PinterestEvent.KafkaTopic.DefaultName];
    private readonly IConsumer<byte[], byte[]> _enricher = Consumer(bootstrap, "pipeline-enricher");
    private readonly IConsumer<byte[], byte[]> _dispatcher = Consumer(bootstrap, "pipeline-dispatcher");
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<LagSample> _samples = new();
    private volatile string _phase = "start";

    public IReadOnlyList<LagSample> Samples => [.. _samples];

    public string Phase
    {
        set => _phase = value;
    }

    public double Now => _clock.Elapsed.TotalSeconds;

    public LagSample Sample()
    {
        var sample = new LagSample(Now, _phase, Read(_enricher, EnricherTopics), Read(_dispatcher, DispatcherTopics), DeadLetters());
        _samples.Enqueue(sample);
        return sample;
    }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Run(Sample, stop);
            }
            catch (KafkaException)
            {
            }

            try
            {
                await Task.Delay(period, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _enricher.Dispose();
        _dispatcher.Dispose();
    }

    private long DeadLetters()
    {
        var marks = _enricher.QueryWatermarkOffsets(new TopicPartition(DeadLetter.KafkaTopic.DefaultName, 0), TimeSpan.FromSeconds(5));
        return marks.High.Value;
    }

    private static GroupLag Read(IConsumer<byte[], byte[]> consumer, string[] topics)
    {
        var partitions = topics.SelectMany(t => Enumerable.Range(0, 6).Select(p => new TopicPartition(t, p))).ToList();
        long lag = 0, dropped = 0, produced = 0;
        foreach (var committed in consumer.Committed(partitions, TimeSpan.FromSeconds(5)))
        {
            var marks = consumer.QueryWatermarkOffsets(committed.TopicPartition, TimeSpan.FromSeconds(5));
            produced += marks.High.Value;
            var position = committed.Offset.IsSpecial ? 0 : committed.Offset.Value;
            lag += Math.Max(0, marks.High.Value - position);
            dropped += Math.Max(0, marks.Low.Value - position);
        }

        return new GroupLag(lag, dropped, produced);
    }

    private static IConsumer<byte[], byte[]> Consumer(string bootstrap, string group) =>
        new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            EnableAutoCommit = false,
            ClientId = "perorder-lag-sampler",
        }).Build();
}

/// <summary>One generator run's orders, as the generator wrote them.</summary>
sealed record GeneratedOrder(long Order, bool Sent, int[] CollectStatus, double[] CollectMs, int WebhookStatus, long WebhookSentAt, double WebhookMs, string Error)
{
    public bool Answered => Sent && CollectStatus.All(s => s is >= 200 and < 300) && WebhookStatus == 200;
}

sealed record GeneratorRun(long First, long Total, long Skipped, double LoadSeconds, double MaxBehindMs, double CpuLoadMs, double CpuAllMs, long Unfinished, List<GeneratedOrder> Orders)
{
    public static GeneratorRun Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var head = lines[0].Split(' ');
        string Head(string key) => head[Array.IndexOf(head, key) + 1];
        var orders = lines.Skip(1).Select(l => l.Split('\t')).Select(f => new GeneratedOrder(
            long.Parse(f[0], CultureInfo.InvariantCulture), f[1] == "1",
            [.. f[2].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))],
            [.. f[3].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture))],
            int.Parse(f[4], CultureInfo.InvariantCulture), long.Parse(f[5], CultureInfo.InvariantCulture),
            double.Parse(f[6], CultureInfo.InvariantCulture), f[7])).ToList();
        return new GeneratorRun(long.Parse(Head("first"), CultureInfo.InvariantCulture), long.Parse(Head("total"), CultureInfo.InvariantCulture),
            long.Parse(Head("skipped"), CultureInfo.InvariantCulture), double.Parse(Head("load_s"), CultureInfo.InvariantCulture),
            double.Parse(Head("max_behind_ms"), CultureInfo.InvariantCulture), double.Parse(Head("cpu_load_ms"), CultureInfo.InvariantCulture),
            double.Parse(Head("cpu_all_ms"), CultureInfo.InvariantCulture), long.Parse(Head("unfinished"), CultureInfo.InvariantCulture), orders);
    }
}

sealed record PinterestArrival(string EventId, string ClickId, long At, int Times, string Name);

static class Orchestrator
{
    private static readonly List<Child> Children = [];

    /// <summary>The services measured: the three deployables, or with PERORDER_ALLINONE=1 the all-in-one src/Pipeline (its operator view included).</summary>
    public static readonly string[] Stages = Environment.GetEnvironmentVariable("PERORDER_ALLINONE") == "1" ? ["Pipeline"] : ["Ingest", "Enricher", "Dispatcher"];
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private static void Say(string what) => Console.Error.WriteLine($"[{Clock.Elapsed.TotalSeconds,4:0}s] {what}");

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static double Knob(string name, double fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public static async Task<int> RunAsync(string[] args)
    {
        var rate = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var warmSeconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        var warmRate = Knob("PERORDER_WARMUP_RATE", Math.Min(rate, 300));
        var drainSeconds = Knob("PERORDER_DRAIN", 60);
        var period = TimeSpan.FromSeconds(Knob("PERORDER_SAMPLE", 2));
        var maxInFlight = (int)Knob("PERORDER_MAX_IN_FLIGHT", 4000);
        var timeout = TimeSpan.FromSeconds(Knob("PERORDER_TIMEOUT", 300 + seconds + warmSeconds));
        var keep = Environment.GetEnvironmentVariable("PERORDER_KEEP") == "1";

        using var stop = new CancellationTokenSource();
        var why = "";
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; why = "SIGTERM"; stop.Cancel(); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; why = "SIGINT"; stop.Cancel(); });
        // Whatever ends this process (an exception, Environment.Exit), no child outlives it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { foreach (var c in Children) { c.KillNow(); } };

        var work = Directory.CreateTempSubdirectory("perorder-bench-").FullName;
        var failed = true;
        try
        {
            Say($"{Environment.ProcessorCount} cores, load average {LoadAverage()}; logs and state in {work}");
            foreach (var project in Environment.GetEnvironmentVariable("PERORDER_NO_BUILD") == "1" ? [] : Orchestrator.Stages)
            {
                Say($"building src/{project} (Release)");
                await RunToEndAsync("nice", ["dotnet", "build", "-c", "Release", "--nologo", "-v", "q", "-clp:ErrorsOnly", Path.Combine(Bench.Repo, "src", project, $"{project}.csproj")], stop.Token);
            }

            stop.CancelAfter(timeout);
            stop.Token.Register(() => why = why.Length > 0 ? why : $"over the time limit ({timeout.TotalSeconds:0} s, PERORDER_TIMEOUT)");
            var exit = await MeasureAsync(rate, seconds, warmSeconds, warmRate, drainSeconds, period, maxInFlight, work, stop.Token);
            failed = exit != 0;
            return exit;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine($"per-order: stopped: {why}");
            return why.StartsWith("SIG", StringComparison.Ordinal) ? 130 : 124;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or KafkaException or IOException)
        {
            Console.Error.WriteLine($"per-order: failed: {e.Message}");
            return 1;
        }
        finally
        {
            Say("stopping every process this run started");
            foreach (var child in Enumerable.Reverse(Children))
            {
                child.Stop(TimeSpan.FromSeconds(10));
            }

            if (keep || failed)
            {
                Console.Error.WriteLine($"per-order: logs kept in {work}");
            }
            else
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static async Task RunToEndAsync(string file, string[] arguments, CancellationToken stop)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        try
        {
            await process.WaitForExitAsync(stop);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}.");
        }
    }

    private static Child Start(Child child)
    {
        Children.Add(child);
        return child;
    }

    private static async Task<int> MeasureAsync(double rate, double seconds, double warmSeconds, double warmRate, double drainSeconds,
        TimeSpan period, int maxInFlight, string work, CancellationToken stop)
    {
        var broker = Start(Child.Role("broker", work, "broker"));
        var stand = await broker.ReadyAsync(TimeSpan.FromSeconds(60), stop);
        var pinterest = Start(Child.Role("pinterest", work, "pinterest"));
        var pinterestUrl = new Uri((await pinterest.ReadyAsync(TimeSpan.FromSeconds(60), stop))["url"]);
        Say($"embedded broker at {stand["bootstrap"]}, registry {stand["registry"]}, Pinterest stand-in {pinterestUrl}");

        var services = new Dictionary<string, Child>();
        var urls = new Dictionary<string, Uri>();
        foreach (var name in Stages)
        {
            var url = new Uri($"http://127.0.0.1:{FreePort()}");
            urls[name] = url;
            var state = Path.Combine(work, name.ToLowerInvariant());
            // The all-in-one reads "Urls" from its appsettings.json, which an environment variable of that name overrides.
            var environment = new Dictionary<string, string>
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/'),
                ["Urls"] = url.ToString().TrimEnd('/'),
                ["Kafka__BootstrapServers"] = stand["bootstrap"],
                ["SchemaRegistry__Url"] = stand["registry"],
                // A real broker answers a fetch as soon as records arrive; the mock, reached by address, holds every
                // empty fetch for fetch.wait.max.ms (as tests/Topology.Tests sets it).
                ["Kafka__Client__fetch.wait.max.ms"] = "10",
                ["Shops__0__Domain"] = Bench.Shop,
                ["Shops__0__WebhookSecrets__0"] = Bench.Secret,
                ["Shops__0__Pinterest__AdAccountId"] = Bench.AdAccount,
                ["Shops__0__Pinterest__ConversionToken"] = Bench.ConversionToken,
                ["Shops__0__Pinterest__TestMode"] = "false",
                ["Pinterest__BaseUrl"] = pinterestUrl.ToString(),
                // Written only if something is dry-run: the report says so.
                ["Pinterest__DryRunFile"] = Path.Combine(work, "dry-run.jsonl"),
                // 127.0.0.1 is every shopper here: the per-client limit would throttle the whole storefront.
                ["Storefront__RequestsPerMinutePerClient"] = "100000000",
                ["Enricher__State__Directory"] = Path.Combine(state, "enricher"),
                ["Dispatcher__State__Directory"] = Path.Combine(state, "dispatcher"),
            };
            var executable = Path.Combine(Bench.Repo, "src", name, "bin", "Release", "net10.0", $"Streaming.{name}");
            services[name] = Start(Child.Service(name.ToLowerInvariant(), executable, work, environment));
            broker.Send($"watch {services[name].Pid}");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (name, child) in services)
        {
            await WaitReadyAsync(http, name, child, urls[name], stop);
        }

        Say($"{string.Join(", ", Stages)} ready (pids {string.Join(", ", services.Select(s => $"{s.Key} {s.Value.Pid}"))})");

        var generator = Start(Child.Role("generator", work, "generate", urls[Stages[0]].ToString(), maxInFlight.ToString(CultureInfo.InvariantCulture)));
        await generator.ReadyAsync(TimeSpan.FromSeconds(60), stop);
        using var lag = new LagSampler(stand["bootstrap"], period);
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var sampler = lag.RunAsync(sampling.Token);

        // Warm-up: the same path at a rate every stage keeps up with, so that tiered JIT has settled.
        if (warmSeconds > 0)
        {
            lag.Phase = "warm-up";
            Say($"warm-up: {warmRate:0} orders/s for {warmSeconds:0} s (not measured)");
            var warm = await GenerateAsync(generator, work, "warmup", warmRate, warmSeconds, 1_000_000_000_000, stop);
            var arrived = await DrainAsync(http, pinterestUrl, warm, drainSeconds, lag, stop);
            Say($"warm-up: {warm.Orders.Count(o => o.Answered)} of {warm.Total} orders answered, {arrived} reached Pinterest; load average {LoadAverage()}");
        }

        // What each process spends with nothing to do (polls, timers, the lag sampler's queries), so that the report
        // can split its CPU into a part that comes with running at all and a part that comes with the orders.
        var all = services.Values.Append(broker).Append(pinterest).Append(generator).ToList();
        var idleSeconds = Knob("PERORDER_IDLE", 10);
        var idle = all.ToDictionary(c => c.Name, _ => double.NaN);
        if (idleSeconds > 0)
        {
            lag.Phase = "idle";
            await Task.Delay(TimeSpan.FromSeconds(2), stop);
            var before = all.ToDictionary(c => c.Name, c => c.CpuTicks() ?? 0);
            var idleStart = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(idleSeconds), stop);
            var span = Stopwatch.GetElapsedTime(idleStart).TotalSeconds;
            idle = all.ToDictionary(c => c.Name, c => ((c.CpuTicks() ?? 0) - before[c.Name]) / (double)Native.ClockTicks / span);
            Say($"idle for {span:0} s: {string.Join(", ", idle.Select(i => $"{i.Key} {i.Value:0.000} cores"))}");
        }

        var load0 = LoadAverage();
        var cpu0 = all.ToDictionary(c => c.Name, c => c.CpuTicks() ?? 0);
        var t0 = Stopwatch.GetTimestamp();
        lag.Phase = "load";
        var loadStartedAt = lag.Now;
        Say($"measured: {rate:0} orders/s for {seconds:0} s; load average {load0}");
        var run = await GenerateAsync(generator, work, "measured", rate, seconds, 2_000_000_000_000, stop);
        var loadEndedAt = lag.Now;
        var loadEnd = LoadAverage();
        lag.Phase = "drain";
        var atLoadEnd = await Task.Run(lag.Sample, stop);
        Say($"load over after {run.LoadSeconds:0.0} s: lag enricher {atLoadEnd.Enricher.Lag}, dispatcher {atLoadEnd.Dispatcher.Lag}; load average {loadEnd}");
        var delivered = await DrainAsync(http, pinterestUrl, run, drainSeconds, lag, stop);
        // The CPU window runs from the load's start to the end of the drain: the stages' work for these orders.
        var cpu1 = all.ToDictionary(c => c.Name, c => c.CpuTicks());
        var window = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        lag.Phase = "after";
        // The dispatcher commits its stored offsets on an interval: give the committed lag a few seconds to reach 0.
        LagSample final = await Task.Run(lag.Sample, stop);
        for (var i = 0; i < 15 && (final.Enricher.Lag > 0 || final.Dispatcher.Lag > 0); i++)
        {
            await Task.Delay(1000, stop);
            final = await Task.Run(lag.Sample, stop);
        }

        await sampling.CancelAsync();
        await sampler;
        var arrivals = await ArrivalsAsync(http, pinterestUrl, stop);
        var report = Report.Write(rate, seconds, run, arrivals, all, idle, cpu0, cpu1, window, lag.Samples, loadStartedAt, loadEndedAt, atLoadEnd, final,
            load0, loadEnd, LoadAverage(), File.Exists(Path.Combine(work, "dry-run.jsonl")), delivered);
        Console.WriteLine(report.Text);
        await File.WriteAllTextAsync(Path.Combine(work, "report.md"), report.Text, CancellationToken.None);
        foreach (var child in services.Values.Where(c => c.Exited))
        {
            Console.Error.WriteLine($"per-order: {child.Name} exited during the run:\n{child.Tail(30)}");
        }

        return report.Complete ? 0 : 2;
    }

    private static async Task WaitReadyAsync(HttpClient http, string name, Child child, Uri url, CancellationToken stop)
    {
        var until = Stopwatch.GetTimestamp() + (90 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            if (child.Exited)
            {
                throw new InvalidOperationException($"{name} exited before it was ready:\n{child.Tail(40)}");
            }

            try
            {
                using var ready = await http.GetAsync(new Uri(url, "/readyz"), stop);
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!stop.IsCancellationRequested)
            {
            }

            await Task.Delay(250, stop);
        }

        throw new TimeoutException($"{name} was not ready at {url}readyz within 90 s:\n{child.Tail(40)}");
    }

    private static async Task<GeneratorRun> GenerateAsync(Child generator, string work, string name, double rate, double seconds, long first, CancellationToken stop)
    {
        var output = Path.Combine(work, $"{name}.orders.tsv");
        generator.Send(string.Create(CultureInfo.InvariantCulture, $"run {rate} {seconds} {first} {output}"));
        try
        {
            await generator.DoneAsync(TimeSpan.FromSeconds(seconds + 90), stop);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the generator did not finish its {name} run within {seconds + 90:0} s:\n{generator.Tail(20)}");
        }

        return File.Exists(output) ? GeneratorRun.Read(output) : throw new InvalidOperationException($"the generator wrote no {output}:\n{generator.Tail(30)}");
    }

    /// <summary>Waits until every answered order's checkout event reached Pinterest, no progress for 20 s, or the drain limit; returns how many arrived.</summary>
    private static async Task<long> DrainAsync(HttpClient http, Uri pinterest, GeneratorRun run, double drainSeconds, LagSampler lag, CancellationToken stop)
    {
        var expected = run.Orders.Count(o => o.Answered);
        var until = Stopwatch.GetTimestamp() + (long)(drainSeconds * Stopwatch.Frequency);
        long last = -1, lastChange = Stopwatch.GetTimestamp();
        while (true)
        {
            var arrived = long.Parse(await http.GetStringAsync(new Uri(pinterest, $"/bench/orders?from={run.First}&to={run.First + run.Total}"), stop), CultureInfo.InvariantCulture);
            var now = Stopwatch.GetTimestamp();
            if (arrived != last)
            {
                last = arrived;
                lastChange = now;
            }

            if (arrived >= expected)
            {
                return arrived;
            }

            if (now > until || Stopwatch.GetElapsedTime(lastChange) > TimeSpan.FromSeconds(20))
            {
                Say($"drain ended with {arrived} of {expected} answered orders at Pinterest ({(now > until ? "drain limit, PERORDER_DRAIN" : "no progress for 20 s")})");
                return arrived;
            }

            await Task.Delay(250, stop);
        }
    }

    private static async Task<List<PinterestArrival>> ArrivalsAsync(HttpClient http, Uri pinterest, CancellationToken stop)
    {
        var text = await http.GetStringAsync(new Uri(pinterest, "/bench/arrivals"), stop);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).Select(l => l.Split('\t'))
            .Select(f => new PinterestArrival(f[0], f[1], long.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture), f[4]))];
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The run's figures as Markdown, and whether every order arrived with its click id and no lag or loss remained.</summary>
sealed record Report(string Text, bool Complete)
{
    public static Report Write(double rate, double seconds, GeneratorRun run, List<PinterestArrival> arrivals, List<Child> processes,
        Dictionary<string, double> idle, Dictionary<string, long> cpu0, Dictionary<string, long?> cpu1, double window, IReadOnlyList<LagSample> samples, double loadStartedAt,
        double loadEndedAt, LagSample atLoadEnd, LagSample final, string load0, string loadEnd, string loadAfter, bool dryRun, long deliveredAtDrain)
    {
        var text = new StringBuilder();
        void Line(string s = "") => text.AppendLine(s);
        var inRun = new Func<long, bool>(n => n >= run.First && n < run.First + run.Total);
        var byId = arrivals.ToDictionary(a => a.EventId, StringComparer.Ordinal);
        var posted = run.Orders.Where(o => o.Sent).ToList();
        var answered = posted.Where(o => o.Answered).ToList();
        var checkout = answered.Select(o => (Order: o, Arrival: byId.GetValueOrDefault(o.Order.ToString(CultureInfo.InvariantCulture)))).ToList();
        var arrived = checkout.Where(c => c.Arrival is not null).ToList();
        var withClick = arrived.Count(c => c.Arrival!.ClickId == Bench.Epik(c.Order.Order));
        var initiate = answered.Count(o => byId.ContainsKey(Bench.InitiateCheckoutId(o.Order)));
        var runEvents = arrivals.Where(a => (long.TryParse(a.EventId, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && inRun(n))
            || (Bench.OrderOfInitiateCheckout(a.EventId) is { } m && inRun(m))).ToList();
        var sentTwice = runEvents.Count(a => a.Times > 1);
        var endToEnd = arrived.Select(c => (c.Arrival!.At - c.Order.WebhookSentAt) * 1000.0 / Stopwatch.Frequency).Order().ToList();
        var webhookMs = posted.Where(o => o.WebhookStatus == 200).Select(o => o.WebhookMs).Order().ToList();
        var collectMs = posted.SelectMany(o => o.CollectMs.Zip(o.CollectStatus).Where(p => p.Second is >= 200 and < 300).Select(p => p.First)).Order().ToList();
        string Ms(List<double> sorted, double p) => sorted.Count == 0 ? "—" : $"{Bench.Percentile(sorted, p):0.0} ms";
        string Statuses(IEnumerable<int> statuses) => string.Join(", ", statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "none" : g.Key.ToString(CultureInfo.InvariantCulture))}: {g.Count():N0}"));

        var commit = Git("rev-parse --short HEAD");
        Line($"## The whole path per order: {rate:0} orders/s for {seconds:0} s");
        Line();
        Line($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, code {commit} ({Git("status --porcelain -- src").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length} changed paths under src/), {Environment.ProcessorCount} cores. Load average (1, 5, 15 min): {load0} at the start of the load, {loadEnd} at its end, {loadAfter} after the drain.");
        Line();
        Line("| | |");
        Line("|---|---:|");
        Line($"| orders scheduled ({rate:0}/s × {seconds:0} s) | {run.Total:N0} |");
        Line($"| orders posted (offered rate) | {posted.Count:N0} ({posted.Count / run.LoadSeconds:N0}/s over {run.LoadSeconds:0.0} s) |");
        Line($"| not posted: the generator's in-flight cap | {run.Skipped:N0} |");
        Line($"| generator's worst lateness against its schedule | {run.MaxBehindMs:0} ms |");
        Line($"| orders answered 2xx on all 3 `/collect` posts and 200 on the webhook | {answered.Count:N0} |");
        Line($"| `/collect` answers | {Statuses(posted.SelectMany(o => o.CollectStatus))} |");
        Line($"| webhook answers | {Statuses(posted.Select(o => o.WebhookStatus))} |");
        Line($"| transport errors (orders) | {posted.Count(o => o.Error.Length > 0):N0}{(run.Unfinished > 0 ? $", {run.Unfinished:N0} orders unfinished after 45 s" : "")} |");
        Line($"| answered orders whose `checkout` event reached Pinterest | **{arrived.Count:N0}** of {answered.Count:N0} |");
        Line($"| … with the order's own click id | **{withClick:N0}** |");
        Line($"| answered orders whose `initiate_checkout` event reached Pinterest | {initiate:N0} |");
        Line($"| distinct event ids of this run at Pinterest (sent more than once) | {runEvents.Count:N0} ({sentTwice:N0}) |");
        Line($"| Ingest latency, webhook: p50 / p99 / max | {Ms(webhookMs, 0.5)} / {Ms(webhookMs, 0.99)} / {Ms(webhookMs, 1)} |");
        Line($"| Ingest latency, `/collect`: p50 / p99 / max | {Ms(collectMs, 0.5)} / {Ms(collectMs, 0.99)} / {Ms(collectMs, 1)} |");
        Line($"| end to end, webhook POST → Pinterest request: p50 / p90 / p99 / max | {Ms(endToEnd, 0.5)} / {Ms(endToEnd, 0.9)} / {Ms(endToEnd, 0.99)} / {Ms(endToEnd, 1)} |");
        Line();

        Line($"CPU time per process from `/proc/<pid>/stat` (utime + stime), from the start of the load to the end of the drain ({window:0.0} s), per answered order; \"beyond idle\" takes off what the process spent idle before the load (cores measured over PERORDER_IDLE seconds, times the window):");
        Line();
        Line("| process | CPU s | cores (average) | µs per order | idle cores | µs per order beyond idle |");
        Line("|---|---:|---:|---:|---:|---:|");
        double stages = 0, stagesIdle = 0;
        var perOrder = answered.Count == 0 ? double.NaN : 1e6 / answered.Count;
        foreach (var process in processes)
        {
            var after = cpu1.GetValueOrDefault(process.Name);
            if (after is null)
            {
                Line($"| {process.Name} | exited | — | — |");
                continue;
            }

            var cpu = (double)(after.Value - cpu0[process.Name]) / Native.ClockTicks;
            var idleCpu = idle[process.Name] * window;
            if (process.Name is "ingest" or "enricher" or "dispatcher" or "pipeline")
            {
                stages += cpu;
                stagesIdle += idleCpu;
            }

            Line($"| {process.Name} | {cpu:0.00} | {cpu / window:0.00} | {cpu * perOrder:0} | {idle[process.Name]:0.000} | {(cpu - idleCpu) * perOrder:0} |");
        }

        var broker = processes.Single(p => p.Name == "broker");
        var brokerCpu = ((cpu1[broker.Name] ?? cpu0[broker.Name]) - cpu0[broker.Name]) / (double)Native.ClockTicks;
        var brokerIdle = idle[broker.Name] * window;
        Line($"| **the stages** | **{stages:0.00}** | **{stages / window:0.00}** | **{stages * perOrder:0}** | {stagesIdle / window:0.000} | **{(stages - stagesIdle) * perOrder:0}** |");
        Line($"| the stages and the broker | {stages + brokerCpu:0.00} | {(stages + brokerCpu) / window:0.00} | {(stages + brokerCpu) * perOrder:0} | {(stagesIdle + brokerIdle) / window:0.000} | {(stages + brokerCpu - stagesIdle - brokerIdle) * perOrder:0} |");
        Line($"| (generator, its own count over the load only: {run.CpuLoadMs / 1000:0.00} s, {run.CpuLoadMs / 1000 / run.LoadSeconds:0.00} cores) | | | | | |");
        Line();

        var during = samples.Where(s => s.AtSeconds >= loadStartedAt && s.AtSeconds <= loadEndedAt + 0.5).ToList();
        var third = Math.Max(1, during.Count / 3);
        long Max(IEnumerable<LagSample> s, Func<LagSample, long> f) => s.Select(f).DefaultIfEmpty(0).Max();
        // The groups commit every few seconds, so their committed lag is a saw-tooth even when they keep up. Growing
        // means the troughs of the last third of the load stand above the peaks of its first third.
        string Verdict(Func<LagSample, long> f)
        {
            var early = Max(during.Take(third), f);
            var late = during.TakeLast(third).Select(f).DefaultIfEmpty(0).Min();
            return $"first third max {early:N0}, last third min {late:N0}: {(late > early ? "**grew**" : "did not grow")}";
        }

        Line($"Consumer-group lag (records between the committed offsets and the partitions' ends), sampled every few seconds ({during.Count} samples during the load):");
        Line();
        Line("| group | at the end of the load | after the drain | during the load |");
        Line("|---|---:|---:|---|");
        Line($"| enricher (`pipeline-enricher`: webhooks + storefront events, 4 records per order) | {atLoadEnd.Enricher.Lag:N0} (≈ {atLoadEnd.Enricher.Lag / (4 * rate):0.0} s of load) | **{final.Enricher.Lag:N0}** | {Verdict(s => s.Enricher.Lag)} |");
        Line($"| dispatcher (`pipeline-dispatcher`: Pinterest events, 2 per order) | {atLoadEnd.Dispatcher.Lag:N0} (≈ {atLoadEnd.Dispatcher.Lag / (2 * rate):0.0} s of load) | **{final.Dispatcher.Lag:N0}** | {Verdict(s => s.Dispatcher.Lag)} |");
        Line();
        Line($"Lag samples (s since the sampler started, phase, enricher lag, dispatcher lag): {string.Join("; ", samples.Select(s => $"{s.AtSeconds:0} {s.Phase} {s.Enricher.Lag}/{s.Dispatcher.Lag}"))}");
        Line();

        var problems = new List<string>();
        var droppedEnricher = Max(samples, s => s.Enricher.DroppedUnread);
        var droppedDispatcher = Max(samples, s => s.Dispatcher.DroppedUnread);
        if (droppedEnricher > 0 || droppedDispatcher > 0)
        {
            problems.Add($"the embedded broker dropped records past a group's committed offset (it keeps about 5 MiB per partition): up to {droppedEnricher:N0} of the enricher's and {droppedDispatcher:N0} of the dispatcher's at one sample. The groups commit every 5 s and may have read further, so the order counts above say whether input was lost; either way the run came near the broker's limit: shorten it or lower the rate");
        }

        if (answered.Count - arrived.Count is > 0 and var missing)
        {
            problems.Add($"{missing:N0} answered orders never reached Pinterest (drain: {deliveredAtDrain:N0} had when it ended)");
        }

        if (arrived.Count - withClick is > 0 and var noClick)
        {
            problems.Add($"{noClick:N0} orders reached Pinterest without their own click id");
        }

        if (posted.Count - answered.Count is > 0 and var refused)
        {
            problems.Add($"{refused:N0} posted orders were not answered 2xx/200 on every request");
        }

        if (run.Skipped > 0)
        {
            problems.Add($"{run.Skipped:N0} orders were never posted: the generator had PERORDER_MAX_IN_FLIGHT orders open");
        }

        if (final.Enricher.Lag > 0 || final.Dispatcher.Lag > 0)
        {
            problems.Add("lag remained after the drain");
        }

        if (final.DeadLetters > 0)
        {
            problems.Add($"{final.DeadLetters:N0} records on the dead-letter topic (warm-up included)");
        }

        if (dryRun)
        {
            problems.Add("the dispatcher wrote a dry-run file: something was not sent");
        }

        Line(problems.Count == 0
            ? "**Complete**: every answered order reached Pinterest with its click id, no lag remained, nothing was dropped, dead-lettered or dry-run."
            : "**Not complete**:\n" + string.Join('\n', problems.Select(p => $"- {p}")));
        return new Report(text.ToString(), problems.Count == 0);
    }

    private static string Git(string arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git", $"-C {Bench.Repo} {arguments}") { RedirectStandardOutput = true, UseShellExecute = false };
            using var git = Process.Start(start)!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
