#:sdk Microsoft.NET.Sdk
#:property PublishAot=false
#:property InvariantGlobalization=false
// The tool runs with workstation GC (src/Replay/Replay.csproj); so does this process.
#:property ServerGarbageCollection=false
#:project ../../src/Replay/Replay.csproj
// The replay benchmark (docs/benchmarks.md): re-enrichment of raw webhooks, read from several partitions
// of an embedded broker and run through the enricher's logic by the replay tool (`reenrich`), against
// raw consumption of the same topic in the same run. Memory is sampled all along the replay.
// Usage (from scripts/bench): dotnet run -c Release replay.cs -- [webhooks=1000000] [partitions=24] [dry|write]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Kafka.Avro;
using Streaming.Development.Kafka;
using Streaming.Kafka.Topics;
using Streaming.Records;
using Streaming.Replay.Cli;
using Streaming.Contracts;
using Streaming.Development.Registry;

var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var partitions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 24;
var mode = args.Length > 2 ? args[2] : "write";
const string Shop = "bench-shop.myshopify.com";

using var cluster = new EmbeddedKafkaCluster();
foreach (var (topic, n) in new[] { ("webhooks", partitions), ("storefront", partitions), ("pinterest", partitions), ("delivered", partitions), ("dead", 1), ("state", partitions) })
{
    cluster.CreateTopic(new TopicOptions { Name = topic, Partitions = n });
}

var serdes = new AvroSerdes(new InMemorySchemaRegistry(), Options.Create(new SchemaRegistryOptions()));
var produced = Stopwatch.StartNew();
await ProduceAsync();
Console.WriteLine($"input: {count} orders/create webhooks on {partitions} partitions, written in {produced.Elapsed.TotalSeconds:0.0} s");
var kept = Kept("webhooks");
if (kept < count)
{
    Console.WriteLine($"warning: the embedded broker kept only {kept} of {count} records (about 5 MiB per partition): use more partitions");
}

// Baseline: a plain consumer reads every record of the topic, nothing else.
var raw = RawConsume("webhooks", kept);
Console.WriteLine($"raw consumption: {kept} records in {raw.TotalSeconds:0.00} s = {kept / raw.TotalSeconds:0} records/s");

var config = Path.Combine(Path.GetTempPath(), $"replay-bench-{Guid.NewGuid():N}.json");
File.WriteAllText(config, $$"""
    {
      "Kafka": { "BootstrapServers": "{{cluster.BootstrapServers}}", "Topics": {
        "ShopifyWebhooks": { "Name": "webhooks", "Partitions": {{partitions}} }, "StorefrontEvents": { "Name": "storefront", "Partitions": {{partitions}} },
        "PinterestEvents": { "Name": "pinterest", "Partitions": {{partitions}} }, "DispatcherDelivered": { "Name": "delivered", "Partitions": {{partitions}} },
        "DeadLetters": { "Name": "dead", "Partitions": 1 }, "EnricherState": { "Name": "state", "Partitions": {{partitions}} } } },
      "SchemaRegistry": { "UseInMemoryRegistry": true },
      "Logging": { "LogLevel": { "Default": "Warning" } },
      "Shops": [ { "Domain": "{{Shop}}", "WebhookSecrets": [ "s" ], "Pinterest": { "AdAccountId": "549755813888" } } ]
    }
    """);

var samples = new List<(double Seconds, long Rss, long Heap)>();
using var sampling = new CancellationTokenSource();
var clock = Stopwatch.StartNew();
var sampler = Task.Run(async () =>
{
    using var self = Process.GetCurrentProcess();
    while (!sampling.IsCancellationRequested)
    {
        self.Refresh();
        lock (samples)
        {
            samples.Add((clock.Elapsed.TotalSeconds, self.WorkingSet64, GC.GetTotalMemory(false)));
        }

        try
        {
            await Task.Delay(250, sampling.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }
});
using var output = new StringWriter();
string[] replayArgs = ["reenrich", "--from", "-3h", "--lookback", "0m", "--config", config, "--progress-every", "3600", .. mode == "dry" ? new[] { "--dry-run" } : []];
var code = await ReplayCli.RunAsync(replayArgs, output, TextWriter.Null, terminal: false, CancellationToken.None);
var replay = clock.Elapsed;
await sampling.CancelAsync();
await sampler;
Console.WriteLine(output.ToString().Trim());
if (code != 0)
{
    Console.WriteLine($"the replay tool exited {code}");
    return 1;
}

Console.WriteLine($"replay ({mode}): {kept} records in {replay.TotalSeconds:0.00} s = {kept / replay.TotalSeconds:0} records/s (tool start-up, offsets and the accepted-id scan included)");
Console.WriteLine($"ratio replay / raw consumption: {raw.TotalSeconds / replay.TotalSeconds:0.000}");
Console.WriteLine("memory along the replay (working set, managed heap):");
foreach (var share in new[] { 0.1, 0.25, 0.5, 0.75, 1.0 })
{
    var sample = samples[Math.Min(samples.Count - 1, (int)(share * (samples.Count - 1)))];
    Console.WriteLine($"  {share:P0} of the run ({sample.Seconds:0.0} s): {sample.Rss / (1 << 20)} MiB, heap {sample.Heap / (1 << 20)} MiB");
}

Console.WriteLine($"  peak: {samples.Max(s => s.Rss) / (1 << 20)} MiB, heap peak {samples.Max(s => s.Heap) / (1 << 20)} MiB");
File.Delete(config);
return 0;

async Task ProduceAsync()
{
    var start = DateTimeOffset.UtcNow.AddHours(-2);
    var order = new JsonObject
    {
        ["id"] = 0L, ["email"] = "bench@example.com", ["created_at"] = "", ["source_name"] = "web", ["cart_token"] = "",
        ["currency"] = "USD", ["presentment_currency"] = "USD", ["subtotal_price"] = "40.00", ["total_price"] = "45.00",
        ["client_details"] = new JsonObject { ["browser_ip"] = "203.0.113.9", ["user_agent"] = "Mozilla/5.0 (bench)" },
        ["line_items"] = new JsonArray(new JsonObject { ["product_id"] = 30000000001L, ["variant_id"] = 40000000001L, ["quantity"] = 1, ["price"] = "40.00" }),
    };
    using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
    {
        BootstrapServers = cluster.BootstrapServers, LingerMs = 50, BatchSize = 1 << 20, CompressionType = CompressionType.Zstd,
    }).Build();
    var spacing = TimeSpan.FromHours(1.9) / count;
    for (var i = 0; i < count; i++)
    {
        var at = start + (spacing * i);
        var cart = $"bench-cart-{i:D8}";
        order["id"] = 9007199254740993L + i;
        order["cart_token"] = cart;
        order["created_at"] = at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture);
        var webhook = new ShopifyWebhook { WebhookId = $"wh-{i}", Topic = "orders/create", ShopDomain = Shop, ReceivedAt = at.UtcDateTime, Body = Encoding.UTF8.GetBytes(order.ToJsonString()) };
        var value = await serdes.SerializeAsync(webhook, "webhooks");
        while (true)
        {
            try
            {
                producer.Produce("webhooks", new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"{Shop}/{cart}"), Value = value, Timestamp = new Timestamp(at.UtcDateTime) });
                break;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }

    producer.Flush();
}

long Kept(string topic)
{
    using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "bench-watermarks" }).Build();
    return Enumerable.Range(0, partitions).Sum(p =>
    {
        var w = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10));
        return w.High.Value - w.Low.Value;
    });
}

TimeSpan RawConsume(string topic, long expected)
{
    using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
    {
        BootstrapServers = cluster.BootstrapServers, GroupId = $"bench-raw-{Guid.NewGuid():N}", EnableAutoCommit = false, FetchWaitMaxMs = 10,
    }).Build();
    consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
    var watch = Stopwatch.StartNew();
    long read = 0;
    while (read < expected)
    {
        if (consumer.Consume(TimeSpan.FromSeconds(5)) is not null)
        {
            read++;
        }
    }

    return watch.Elapsed;
}
