#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
#:property InvariantGlobalization=false
#:property ServerGarbageCollection=true
#:project ../../src/Dispatcher/Dispatcher.csproj
// The dispatcher benchmark (docs/benchmarks.md). One process, one embedded broker, a Pinterest stand-in
// on loopback Kestrel that answers at once, ten shops with an ad account each:
//   1. throughput: events delivered per second against raw consumption of the same records on the same
//      broker in the same run, each after a warm-up round; requests per 1,000 events per ad account;
//   2. latency at half that rate: record write to Pinterest's answer (the delivery record's latency_ms);
//   3. isolation: the same load with one ad account answering 500 for the whole run; the other nine's
//      throughput against theirs in a healthy run.
// Usage (from scripts/bench): dotnet run -c Release dispatcher.cs -- [events=50000] [latency seconds=10]
// The embedded broker keeps about 5 MiB per partition: past about 60,000 events a run would wait forever.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Dispatcher;
using Streaming.Platform.Avro;
using Streaming.Platform.Kafka.Embedded;
using Streaming.Records;

var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
var latencySeconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
const int Partitions = 6;
const int Shops = 10;
const string EmailHash = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";

using var cluster = new EmbeddedKafkaCluster();
var serdes = new AvroSerdes(new InMemorySchemaRegistry(), Options.Create(new SchemaRegistryOptions()));
var accepted = new ConcurrentDictionary<string, long>();
var requests = new ConcurrentDictionary<string, long>();
string? failing = null;
long? firstAnswer = null;

var fake = WebApplication.CreateSlimBuilder();
fake.WebHost.UseUrls("http://127.0.0.1:0");
fake.Logging.ClearProviders();
var pinterest = fake.Build();
pinterest.MapPost("/v5/ad_accounts/{account}/events", async (HttpContext context, string account) =>
{
    using var reader = new StreamReader(context.Request.Body);
    var body = await reader.ReadToEndAsync();
    requests.AddOrUpdate(account, 1, (_, n) => n + 1);
    if (account == failing)
    {
        return Results.Text("""{"code":0,"message":"Internal error"}""", "application/json", statusCode: 500);
    }

    var count = Count(body, "\"event_id\"");
    firstAnswer ??= Stopwatch.GetTimestamp();
    accepted.AddOrUpdate(account, count, (_, n) => n + count);
    var answer = new StringBuilder($$"""{"num_events_received":{{count}},"num_events_processed":{{count}},"events":[""");
    for (var i = 0; i < count; i++)
    {
        answer.Append(i == 0 ? "" : ",").Append("""{"status":"processed","error_message":"","warning_message":""}""");
    }

    return Results.Text(answer.Append("]}").ToString(), "application/json");
});
await pinterest.StartAsync();
var pinterestUrl = pinterest.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
    .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();

// ---- 1. Throughput, after a warm-up round for both sides --------------------------------------------
var warmUp = Math.Max(5_000, events);
await ProduceAsync("warm-", warmUp, rate: null);
RawConsume("warm-", warmUp);
await RunAsync("warm-", warmUp, null);

await ProduceAsync("", events, rate: null);
Console.WriteLine($"input: {events} events for {Shops} shops (one ad account each), {Partitions} partitions, after a warm-up round of {warmUp}");
var raw = RawConsume("", events);
Console.WriteLine($"raw consumption: {events} records in {raw.TotalSeconds:0.00} s = {events / raw.TotalSeconds:0} records/s");
requests.Clear();
var healthy = await RunAsync("", events, null);
var perAccount = requests.Values.Average();
Console.WriteLine($"dispatcher: {events} events accepted in {healthy.Elapsed.TotalSeconds:0.00} s = {events / healthy.Elapsed.TotalSeconds:0} events/s; ratio {raw.TotalSeconds / healthy.Elapsed.TotalSeconds:0.00}");
Console.WriteLine($"requests per ad account: {perAccount:0.0} for {events / Shops} events = {perAccount / (events / Shops / 1000.0):0.00} per 1,000 events");

// ---- 2. Latency at half the measured rate ---------------------------------------------------------
var rate = events / healthy.Elapsed.TotalSeconds / 2;
var paced = (int)(rate * latencySeconds);
var latencies = await LatencyAsync("lat-", paced, rate);
Console.WriteLine($"latency at {rate:0} events/s ({paced} events): record write to Pinterest's answer p50 {Percentile(latencies, 0.50)} ms, p99 {Percentile(latencies, 0.99)} ms");

// ---- 3. One ad account answering 500 for the whole run -------------------------------------------
await ProduceAsync("iso-", events, rate: null);
failing = "100";
var faulted = await RunAsync("iso-", events, failing);
var healthyNine = healthy.HealthyNine.TotalSeconds;
Console.WriteLine($"nine healthy accounts: {healthy.HealthyEvents} events in {healthyNine:0.00} s with all ten healthy, in {faulted.HealthyNine.TotalSeconds:0.00} s with account 100 answering 500 ({requests.GetValueOrDefault("100")} calls to it); ratio {healthyNine / faulted.HealthyNine.TotalSeconds:0.00}");

await pinterest.StopAsync();

PinterestEvent Event(string prefix, int i)
{
    var shop = i % Shops;
    return new PinterestEvent
    {
        ShopDomain = $"shop-{shop}.myshopify.com",
        EventName = "checkout",
        ActionSource = "web",
        EventTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        EventId = $"{prefix}{i}",
        UserData = new PinterestUserData { Em = [EmailHash], ClientIpAddress = "203.0.113.9", ClientUserAgent = "Mozilla/5.0 (bench)", ClickId = "dj0yJnU9" },
        CustomData = new PinterestCustomData { Currency = "USD", Value = "49.90", OrderId = $"{i}", ContentIds = ["9007199254741207"], NumItems = 2 },
        EventSourceUrl = "https://shop.example/checkouts/c/1/thank-you",
    };
}

async Task ProduceAsync(string prefix, int count, double? rate)
{
    if (rate is null)
    {
        foreach (var topic in new[] { "pinterest", "deliveries", "delivered", "dead" })
        {
            cluster.CreateTopic(prefix + topic, topic == "pinterest" || topic == "delivered" ? Partitions : 1);
        }
    }

    using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 5 }).Build();
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        if (rate is { } r && i / r > watch.Elapsed.TotalSeconds)
        {
            await Task.Delay(TimeSpan.FromSeconds(i / r) - watch.Elapsed);
        }

        var e = Event(prefix, i);
        producer.Produce(prefix + "pinterest", new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"{e.ShopDomain}/{e.EventId}"), Value = await serdes.SerializeAsync(e, prefix + "pinterest") });
    }

    producer.Flush();
}

TimeSpan RawConsume(string prefix, int count)
{
    var watch = Stopwatch.StartNew();
    using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
    {
        BootstrapServers = cluster.BootstrapServers, GroupId = prefix + "raw-" + Guid.NewGuid(), AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoOffsetStore = false,
    }).Build();
    consumer.Subscribe(prefix + "pinterest");
    var seen = 0;
    while (seen < count)
    {
        if (consumer.Consume(TimeSpan.FromSeconds(10)) is { } result)
        {
            consumer.StoreOffset(result);
            seen++;
        }
    }

    consumer.Close();
    return watch.Elapsed;
}

IHost Dispatcher(string prefix)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    if (Environment.GetEnvironmentVariable("BENCH_LOG") is not null)
    {
        builder.Logging.AddConsole();
    }

    var settings = new Dictionary<string, string?>
    {
        ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
        ["Kafka:ProvisionTopics"] = "false",
        // The host runs in Production, which takes the in-memory registry only when asked for by name.
        ["SchemaRegistry:UseInMemoryRegistry"] = "true",
        ["Kafka:Topics:PinterestEvents:Name"] = prefix + "pinterest",
        ["Kafka:Topics:PinterestEvents:Partitions"] = $"{Partitions}",
        ["Kafka:Topics:PinterestDeliveries:Name"] = prefix + "deliveries",
        ["Kafka:Topics:DispatcherDelivered:Name"] = prefix + "delivered",
        ["Kafka:Topics:DispatcherDelivered:Partitions"] = $"{Partitions}",
        ["Kafka:Topics:DeadLetters:Name"] = prefix + "dead",
        ["Dispatcher:GroupId"] = prefix + "bench-dispatcher-" + Guid.NewGuid(),
        ["Dispatcher:State:Directory"] = Path.Combine(Path.GetTempPath(), $"dispatcher-bench-{Guid.NewGuid():N}"),
        ["Pinterest:BaseUrl"] = pinterestUrl,
    };
    foreach (var linger in new[] { Environment.GetEnvironmentVariable("BENCH_LINGER") })
    {
        if (linger is not null)
        {
            settings["Dispatcher:Linger"] = linger;
        }
    }

    for (var shop = 0; shop < Shops; shop++)
    {
        settings[$"Shops:{shop}:Domain"] = $"shop-{shop}.myshopify.com";
        settings[$"Shops:{shop}:WebhookSecrets:0"] = "bench";
        settings[$"Shops:{shop}:Pinterest:AdAccountId"] = $"{100 + shop}";
        settings[$"Shops:{shop}:Pinterest:ConversionToken"] = $"token-{shop}";
    }

    builder.Configuration.AddInMemoryCollection(settings);
    builder.AddDispatcher();
    return builder.Build();
}

async Task<(TimeSpan Elapsed, TimeSpan HealthyNine, long HealthyEvents)> RunAsync(string prefix, int count, string? failingAccount)
{
    accepted.Clear();
    firstAnswer = null;
    var started = Stopwatch.GetTimestamp();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var healthyAccounts = Enumerable.Range(1, Shops - 1).Select(s => $"{100 + s}").ToList();
    var healthyEvents = Enumerable.Range(0, count).LongCount(i => i % Shops != 0);
    var watch = Stopwatch.StartNew();
    using var host = Dispatcher(prefix);
    await host.StartAsync();
    var healthyNine = TimeSpan.Zero;
    while (true)
    {
        var nine = healthyAccounts.Sum(a => accepted.GetValueOrDefault(a));
        if (healthyNine == TimeSpan.Zero && nine >= healthyEvents)
        {
            healthyNine = watch.Elapsed;
        }

        if (failingAccount is not null ? healthyNine > TimeSpan.Zero : accepted.Values.Sum() >= count)
        {
            break;
        }

        await Task.Delay(5);
        if (watch.Elapsed > TimeSpan.FromMinutes(5))
        {
            throw new TimeoutException($"{prefix}: {accepted.Values.Sum()} of {count} events accepted after 5 minutes; requests {string.Join(", ", requests.Select(r => $"{r.Key}={r.Value}"))}");
        }
    }

    var elapsed = watch.Elapsed;
    Console.WriteLine($"  ({prefix}run: first answer {Stopwatch.GetElapsedTime(started, firstAnswer ?? started).TotalSeconds:0.00} s after the start, all answered at {elapsed.TotalSeconds:0.00} s; CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.00} s)");
    await host.StopAsync();
    return (elapsed, healthyNine, healthyEvents);
}

async Task<List<long>> LatencyAsync(string prefix, int count, double rate)
{
    accepted.Clear();
    foreach (var topic in new[] { "pinterest", "deliveries", "delivered", "dead" })
    {
        cluster.CreateTopic(prefix + topic, topic == "pinterest" || topic == "delivered" ? Partitions : 1);
    }

    using var host = Dispatcher(prefix);
    await host.StartAsync();
    await Task.Delay(TimeSpan.FromSeconds(3));
    await ProduceAsync(prefix, count, rate);
    while (accepted.Values.Sum() < count)
    {
        await Task.Delay(10);
    }

    await Task.Delay(1000);
    await host.StopAsync();
    var latencies = new List<long>();
    using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "lat-" + Guid.NewGuid(), AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
    consumer.Subscribe(prefix + "deliveries");
    while (latencies.Count < count && consumer.Consume(TimeSpan.FromSeconds(10)) is { } result)
    {
        latencies.Add((await serdes.DeserializeAsync<PinterestDelivery>(result.Message.Value, result.Topic)).LatencyMs);
    }

    return latencies;
}

static long Percentile(List<long> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? -1 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

static int Count(string text, string what)
{
    var count = 0;
    for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
    {
        count++;
    }

    return count;
}
