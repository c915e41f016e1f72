#:sdk Microsoft.NET.Sdk
#:property PublishAot=false
#:property InvariantGlobalization=false
// The enricher service runs with server GC (src/Enricher/Enricher.csproj); so does this process.
#:property ServerGarbageCollection=true
#:project ../../src/Enricher/Enricher.csproj
// The enricher benchmark (docs/benchmarks.md). One process, one embedded broker, three measurements:
//   1. throughput: realistic records (web orders with 3 line items; a storefront session for half of the
//      carts) through the enricher, against raw consume -> produce pass-through of the same records on
//      the same broker in the same run, each side after a warm-up round on topics of its own;
//   2. restore: sessions per second from the changelog into empty local stores, and peak memory;
//   3. memory: process memory with ten million sessions in the local stores.
// Usage (from scripts/bench): dotnet run -c Release enricher.cs -- [orders=60000] [restore=1000000] [stored=10000000]
// (restore 0: the throughput part only; BENCH_LOG=1: the measured enricher logs to the console with times)
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Streaming.Enricher;
using Streaming.Kafka.Avro;
using Streaming.Kafka;
using Streaming.Development.Kafka;
using Streaming.Kafka.State;
using Streaming.Records;
using Streaming.Development.Registry;

var orders = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60_000;
var restoreSessions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
var storedSessions = args.Length > 2 ? long.Parse(args[2], CultureInfo.InvariantCulture) : 10_000_000;
const int Partitions = 12;
const string Shop = "bench-shop.myshopify.com";
var repo = FindRepo();

using var cluster = new EmbeddedKafkaCluster();
var serdes = new AvroSerdes(new InMemorySchemaRegistry(), Options.Create(new SchemaRegistryOptions()));

// ---- 1. Throughput --------------------------------------------------------------------------------
var orderTemplate = JsonNode.Parse(File.ReadAllBytes(Path.Combine(repo, "tests/Fixtures/shopify/orders-create-web.json")))!;
var lineItems = orderTemplate["line_items"]!.AsArray();
while (lineItems.Count < 3)
{
    lineItems.Add(lineItems[0]!.DeepClone());
}

var pixel = File.ReadAllBytes(Path.Combine(repo, "tests/Fixtures/shopify/pixel-checkout_completed.json"));

// A warm-up round on topics of its own first, for both sides: what is measured is the steady state of
// code the JIT has already compiled, as in a service that has been running, not its first seconds.
var warmUp = Math.Max(2_000, orders / 10);
await ProduceInputAsync("warm-", warmUp);
PassThrough(cluster.BootstrapServers, "warm-", warmUp + ((warmUp + 1) / 2));
await RunEnricherAsync("warm-", warmUp);

await ProduceInputAsync("", orders);
var inputs = orders + ((orders + 1) / 2);
Console.WriteLine($"input: {orders} orders (3 line items), {(orders + 1) / 2} sessions, {Partitions} partitions (after a warm-up round of {warmUp} orders)");

// Baseline: consume both topics, produce every value as it came, store offsets after the acknowledgement.
var passThrough = PassThrough(cluster.BootstrapServers, "", inputs);
Console.WriteLine($"pass-through: {inputs} records in {passThrough.TotalSeconds:0.00} s = {inputs / passThrough.TotalSeconds:0} records/s");
var enricher = await RunEnricherAsync("", orders);
Console.WriteLine($"ratio enricher / pass-through: {passThrough.TotalSeconds / enricher.TotalSeconds:0.00}");

async Task ProduceInputAsync(string prefix, int count)
{
    foreach (var topic in new[] { "webhooks", "storefront", "pinterest", "passthrough-out", "state", "dead" })
    {
        cluster.CreateTopic(prefix + topic, Partitions);
    }

    var start = DateTimeOffset.UtcNow.AddHours(-2);
    using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 20, CompressionType = CompressionType.Lz4 }).Build();
    for (var i = 0; i < count; i++)
    {
        var cart = $"{prefix}bench-cart-{i:D8}";
        var key = Encoding.UTF8.GetBytes($"{Shop}/{cart}");
        // Records 10 ms apart in event time: a session comes 5 ms before its order; without one, the order waits out the grace period.
        var at = start.AddMilliseconds(i * 10);
        if (i % 2 == 0)
        {
            var session = new StorefrontEvent
            {
                ShopDomain = Shop, EventId = $"pixel-{i}", EventName = "checkout_completed", ShopifyEventId = $"sh-{i}", ClientId = "c",
                OccurredAt = at.UtcDateTime, ClickId = $"click-{i}", CartToken = cart,
                Consent = new StorefrontConsent { Analytics = true, Marketing = true, Preferences = true, SaleOfData = true },
                ClientIp = "203.0.113.9", UserAgent = "Mozilla/5.0 (bench)", ReceivedAt = at.UtcDateTime, Event = pixel,
            };
            producer.Produce(prefix + "storefront", new Message<byte[], byte[]> { Key = key, Value = await serdes.SerializeAsync(session, prefix + "storefront"), Timestamp = new Timestamp(at.AddMilliseconds(-5).UtcDateTime) });
        }

        orderTemplate["id"] = 9007199254740993L + i;
        orderTemplate["cart_token"] = cart;
        orderTemplate["checkout_token"] = $"checkout-{i}";
        var webhook = new ShopifyWebhook { WebhookId = $"wh-{i}", Topic = "orders/create", ShopDomain = Shop, ReceivedAt = at.UtcDateTime, Body = Encoding.UTF8.GetBytes(orderTemplate.ToJsonString()) };
        producer.Produce(prefix + "webhooks", new Message<byte[], byte[]> { Key = key, Value = await serdes.SerializeAsync(webhook, prefix + "webhooks"), Timestamp = new Timestamp(at.UtcDateTime) });
    }

    producer.Flush();
}

async Task<TimeSpan> RunEnricherAsync(string prefix, int count)
{
    var stateDirectory = Path.Combine(Path.GetTempPath(), $"enricher-bench-{Guid.NewGuid():N}");
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    if (Environment.GetEnvironmentVariable("BENCH_LOG") is not null && prefix.Length == 0)
    {
        builder.Logging.AddSimpleConsole(o => { o.TimestampFormat = "HH:mm:ss.fff "; o.SingleLine = true; });
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        Console.WriteLine($"{DateTime.Now:HH:mm:ss.fff} host building");
    }
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
        ["Kafka:ProvisionTopics"] = "false",
        // The host runs in Production, which takes the in-memory registry only when asked for by name.
        ["SchemaRegistry:UseInMemoryRegistry"] = "true",
        ["Kafka:Topics:ShopifyWebhooks:Name"] = prefix + "webhooks",
        ["Kafka:Topics:StorefrontEvents:Name"] = prefix + "storefront",
        ["Kafka:Topics:PinterestEvents:Name"] = prefix + "pinterest",
        ["Kafka:Topics:EnricherState:Name"] = prefix + "state",
        ["Kafka:Topics:DeadLetters:Name"] = prefix + "dead",
        ["Kafka:Topics:ShopifyWebhooks:Partitions"] = $"{Partitions}",
        ["Kafka:Topics:StorefrontEvents:Partitions"] = $"{Partitions}",
        ["Kafka:Topics:PinterestEvents:Partitions"] = $"{Partitions}",
        ["Kafka:Topics:EnricherState:Partitions"] = $"{Partitions}",
        ["Enricher:GroupId"] = prefix + "bench-enricher",
        ["Enricher:MaxBatchSize"] = Environment.GetEnvironmentVariable("BENCH_BATCH") ?? "1000",
        ["Enricher:GraceWallClockCap"] = "00:00:01",
        ["Enricher:State:Directory"] = stateDirectory,
        ["Shops:0:Domain"] = Shop,
        ["Shops:0:WebhookSecrets:0"] = "bench",
        ["Shops:0:Pinterest:AdAccountId"] = "1",
    });
    builder.AddEnricher();
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var allocatedBefore = GC.GetTotalAllocatedBytes();
    var watch = Stopwatch.StartNew();
    using var host = builder.Build();
    await host.StartAsync();
    var (produced, first) = CountUntil(cluster.BootstrapServers, prefix + "pinterest", count, TimeSpan.FromMinutes(10), watch);
    watch.Stop();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
    await host.StopAsync();
    var records = count + ((count + 1) / 2);
    if (prefix.Length == 0)
    {
        Console.WriteLine($"enricher: {records} records ({produced} checkout events) in {watch.Elapsed.TotalSeconds:0.00} s = {records / watch.Elapsed.TotalSeconds:0} records/s; process CPU {cpu.TotalSeconds:0.0} s");
        Console.WriteLine($"enricher per record: CPU {cpu.TotalMicroseconds / records:0} µs, allocated {allocated / records:0} bytes; first event after {first.TotalSeconds:0.00} s");
    }

    Directory.Delete(stateDirectory, recursive: true);
    return watch.Elapsed;
}

if (restoreSessions == 0)
{
    // Throughput only: for before/after runs of the enricher's own cost.
    return;
}

// ---- 2. Restore -----------------------------------------------------------------------------------
const int RestorePartitions = 64;
cluster.CreateTopic("restore-changelog", RestorePartitions);
var sessionState = new EnricherState
{
    UpdatedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    Session = new Session { ClickId = "dj0yJnU9S0tmaXh0dXJlJm49WmVvJm09Mg", ClientIp = "203.0.113.9", UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36", FirstSeen = 1, LastSeen = 2, LandingUrl = "https://bench-shop.myshopify.com/products/stoneware-pour-over-dripper?epik=x", MarketHandle = "de", MarketId = "71502413844", MarketingAllowed = true, SaleOfDataAllowed = true },
};
var sessionBytes = await serdes.SerializeAsync(sessionState, "restore-changelog");
Console.WriteLine($"session record: {sessionBytes.Length} bytes");
using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 50, BatchSize = 1 << 20, CompressionType = CompressionType.Lz4 }).Build())
{
    for (var i = 0; i < restoreSessions; i++)
    {
        var message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"{Shop}/restore-cart-{i:D9}"), Value = sessionBytes };
        while (true)
        {
            try
            {
                producer.Produce(new TopicPartition("restore-changelog", i % RestorePartitions), message);
                break;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The producer's queue holds 100,000 messages by default: let it drain, then go on.
                producer.Poll(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    producer.Flush();
}

var clients = new KafkaClientFactory(Options.Create(new KafkaOptions { BootstrapServers = cluster.BootstrapServers }), cluster, NullLoggerFactory.Instance);
var restorer = new ChangelogRestorer(clients, NullLogger<ChangelogRestorer>.Instance);
var rocks = new RocksDbSettings(64UL << 20, 8UL << 20);
var restoreDirectory = Path.Combine(Path.GetTempPath(), $"enricher-restore-{Guid.NewGuid():N}");
var targets = Enumerable.Range(0, RestorePartitions)
    .Select(p => new ChangelogRestorer.Target(p, RocksDbStore.Open(Path.Combine(restoreDirectory, $"p{p}"), rocks), null)).ToList();
var rssBefore = Rss();
var watch = Stopwatch.StartNew();
var restored = restorer.Restore("restore-changelog", targets, CancellationToken.None);
watch.Stop();
Console.WriteLine($"restore: {restored} sessions in {watch.Elapsed.TotalSeconds:0.00} s = {restored / watch.Elapsed.TotalSeconds:0} sessions/s; RSS before {rssBefore / 1048576} MiB, peak {PeakRss() / 1048576} MiB");
targets.ForEach(t => t.Store.Dispose());

// ---- 3. Memory with ten million sessions ------------------------------------------------------------
const int StoredPartitions = 16;
var storedDirectory = Path.Combine(Path.GetTempPath(), $"enricher-stored-{Guid.NewGuid():N}");
var stores = Enumerable.Range(0, StoredPartitions).Select(p => RocksDbStore.Open(Path.Combine(storedDirectory, $"p{p}"), rocks)).ToList();
watch.Restart();
var batch = new List<KeyValuePair<byte[], byte[]?>>(50_000);
for (long i = 0; i < storedSessions; i++)
{
    batch.Add(new(Encoding.UTF8.GetBytes($"{Shop}/stored-cart-{i:D10}"), sessionBytes));
    if (batch.Count == 50_000 || i == storedSessions - 1)
    {
        stores[(int)(i / 50_000 % StoredPartitions)].Apply(batch);
        batch.Clear();
    }
}

Console.WriteLine($"stored {storedSessions} sessions in {watch.Elapsed.TotalSeconds:0.0} s");
// Read through the stack the enricher uses: a bounded cache per partition over RocksDB.
var cached = stores.Select(s => new CachingStore(s, 10_000)).ToList();
var random = new Random(7);
var hits = 0;
for (var i = 0; i < 200_000; i++)
{
    var n = random.NextInt64(storedSessions);
    if (cached[(int)(n / 50_000 % StoredPartitions)].Read($"{Shop}/stored-cart-{n:D10}") is not null)
    {
        hits++;
    }
}

GC.Collect();
Console.WriteLine($"memory with {storedSessions} sessions stored: RSS {Rss() / 1048576} MiB (peak {PeakRss() / 1048576} MiB), managed heap {GC.GetTotalMemory(false) / 1048576} MiB; {hits} of 200000 random reads found; on disk {DirectorySize(storedDirectory) / 1048576} MiB");
cached.ForEach(c => c.Dispose());
foreach (var directory in new[] { restoreDirectory, storedDirectory })
{
    Directory.Delete(directory, recursive: true);
}

static TimeSpan PassThrough(string bootstrap, string prefix, int count)
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var allocatedBefore = GC.GetTotalAllocatedBytes();
    var watch = Stopwatch.StartNew();
    var first = TimeSpan.Zero;
    using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, EnableIdempotence = true, Acks = Acks.All, LingerMs = 5, CompressionType = CompressionType.Lz4 }).Build();
    using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
    {
        BootstrapServers = bootstrap, GroupId = prefix + "bench-passthrough", GroupProtocol = GroupProtocol.Consumer, AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoOffsetStore = false,
    }).Build();
    consumer.Subscribe([prefix + "webhooks", prefix + "storefront"]);
    var done = 0;
    var pending = new List<(Task<DeliveryResult<byte[]?, byte[]>> Delivery, ConsumeResult<byte[]?, byte[]> Source)>();
    while (done < count)
    {
        var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
        if (result is not null)
        {
            first = first == TimeSpan.Zero ? watch.Elapsed : first;
            pending.Add((producer.ProduceAsync(prefix + "passthrough-out", new Message<byte[]?, byte[]> { Key = result.Message.Key, Value = result.Message.Value }), result));
        }

        if (pending.Count >= 1000 || (result is null && pending.Count > 0))
        {
            Task.WhenAll(pending.Select(p => p.Delivery)).GetAwaiter().GetResult();
            foreach (var last in pending.GroupBy(p => p.Source.TopicPartition).Select(g => g.Last().Source))
            {
                consumer.StoreOffset(last);
            }

            done += pending.Count;
            pending.Clear();
        }
    }

    var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
    consumer.Close();
    if (prefix.Length == 0)
    {
        Console.WriteLine($"pass-through process CPU {used.TotalSeconds:0.0} s");
        Console.WriteLine($"pass-through per record: CPU {used.TotalMicroseconds / count:0} µs, allocated {allocated / count:0} bytes; first record after {first.TotalSeconds:0.00} s");
    }

    return watch.Elapsed;
}

static (int Seen, TimeSpan First) CountUntil(string bootstrap, string topic, int count, TimeSpan within, Stopwatch watch)
{
    using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
    {
        BootstrapServers = bootstrap, GroupId = $"bench-counter-{Guid.NewGuid():N}", GroupProtocol = GroupProtocol.Consumer, AutoOffsetReset = AutoOffsetReset.Earliest,
    }).Build();
    consumer.Subscribe(topic);
    var seen = 0;
    var first = TimeSpan.Zero;
    var until = DateTime.UtcNow + within;
    while (seen < count && DateTime.UtcNow < until)
    {
        if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not null)
        {
            first = seen == 0 ? watch.Elapsed : first;
            seen++;
        }
    }

    return (seen, first);
}

static long Rss() => StatusKb("VmRSS:") * 1024;

static long PeakRss() => StatusKb("VmHWM:") * 1024;

static long StatusKb(string field) =>
    long.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

static long DirectorySize(string directory) => new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

static string FindRepo()
{
    var directory = new DirectoryInfo(Directory.GetCurrentDirectory());
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Streaming.sln")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? Directory.GetCurrentDirectory();
}
