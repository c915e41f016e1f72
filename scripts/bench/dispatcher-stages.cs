#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
#:property InvariantGlobalization=false
#:property ServerGarbageCollection=true
#:project ../../src/Dispatcher/Dispatcher.csproj
#:project Support/BenchSupport.csproj
// The dispatcher's cost per event, stage by stage (docs/benchmarks.md, "Dispatcher per stage"). Each stage
// runs alone, on the dispatcher's own services from its host (not started), over requests of 1,000 events
// of ten shops, after warm-up rounds; for each it reports process CPU, wall time and bytes allocated per
// event. Process CPU includes the embedded broker's and the Pinterest stand-in's threads, so the Kafka
// stages carry the broker's work, as in the pass-through; the idle process's own CPU is subtracted.
// Usage (from scripts/bench): dotnet run -c Release dispatcher-stages.cs -- [events=10000] [rounds=5]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Development.Kafka;
using Streaming.Dispatcher;
using Streaming.Dispatcher.Dedupe;
using Streaming.Dispatcher.Delivery;
using Streaming.Dispatcher.Pinterest;
using Streaming.Kafka.Avro;
using Streaming.Kafka.Reading;
using Streaming.Records;
using Streaming.ServiceDefaults.Shops;
using Streaming.Bench;
using static Streaming.Bench.DispatcherBench;

var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
const int PerRequest = 1000;

using var cluster = new EmbeddedKafkaCluster();
foreach (var topic in new[] { "pinterest", "deliveries", "delivered", "dead" })
{
    cluster.CreateTopic(topic, topic is "pinterest" or "delivered" ? Partitions : 1);
}

await using var pinterest = await PinterestStandIn.StartAsync();
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Configuration.AddInMemoryCollection(Settings(cluster.BootstrapServers, "", pinterest.Url));
builder.AddDispatcher();
using var host = builder.Build();
var services = host.Services;
var serdes = services.GetRequiredService<AvroSerdes>();
var delivered = services.GetRequiredService<DeliveredIds>();
var log = services.GetRequiredService<DeliveryLog>();
var client = services.GetRequiredService<PinterestClient>();
var shops = services.GetRequiredService<ShopDirectory<DispatcherShop>>();
var dispatcherOptions = services.GetRequiredService<IOptions<DispatcherOptions>>().Value;
var logger = services.GetRequiredService<ILogger<DeliveredIds>>();
delivered.Assigned([.. Enumerable.Range(0, Partitions).Select(p => new TopicPartition("pinterest", p))], CancellationToken.None);
var baseUrl = new Uri(pinterest.Url);

var results = new Dictionary<string, List<(double Cpu, double Wall, double Bytes)>>();
var order = new List<string>();
var idleCpuPerSecond = await IdleCpuPerSecondAsync();
Console.WriteLine($"input: {events} events of {Shops} shops, requests of {PerRequest}, {rounds} measured round(s) after 3 warm-up rounds; idle process CPU {idleCpuPerSecond * 1000:0.0} ms/s subtracted");
for (var round = -3; round < rounds; round++)
{
    await RoundAsync(round);
}

Console.WriteLine();
Console.WriteLine("| Stage | CPU per event (µs) | Wall per event (µs) | Allocated per event (bytes) |");
Console.WriteLine("|---|---:|---:|---:|");
foreach (var name in order)
{
    var r = results[name];
    Console.WriteLine($"| {name} | {Span(r.Select(x => x.Cpu))} | {Span(r.Select(x => x.Wall))} | {Span(r.Select(x => x.Bytes), "0")} |");
}

delivered.Dispose();

async Task RoundAsync(int round)
{
    var prefix = $"r{round + 3}-";
    var raw = new List<ConsumeResult<byte[]?, byte[]>>(events);
    for (var i = 0; i < events; i++)
    {
        var e = Checkout(prefix, i);
        raw.Add(new ConsumeResult<byte[]?, byte[]>
        {
            Topic = "pinterest",
            Partition = new Partition(i % Partitions),
            Offset = new Offset(i),
            Message = new Message<byte[]?, byte[]>
            {
                Key = Encoding.UTF8.GetBytes(RecordKeys.Event(e.ShopDomain, e.EventId)),
                Value = await serdes.SerializeAsync(e, "pinterest"),
                Timestamp = new Timestamp(DateTime.UtcNow),
            },
        });
    }

    var measured = round >= 0;
    var decoded = new PinterestEvent[events];
    await Stage("decode (Avro)", async () =>
    {
        for (var i = 0; i < events; i++)
        {
            decoded[i] = await serdes.DeserializeAsync<PinterestEvent>(raw[i].Message.Value, "pinterest");
        }
    });
    await Stage("log scope per record (RecordScope, shop of key)", () =>
    {
        for (var i = 0; i < events; i++)
        {
            using var scope = RecordScope.Begin(logger, raw[i], RecordScope.ShopOfKey(raw[i]));
        }

        return Task.CompletedTask;
    });

    var pending = new List<PendingEvent>(events);
    await Stage("routing (shop lookup, pending event)", () =>
    {
        for (var i = 0; i < events; i++)
        {
            shops.TryFind(decoded[i].ShopDomain, out var shop);
            pending.Add(new PendingEvent(raw[i], decoded[i], shop!));
        }

        return Task.CompletedTask;
    });

    var requests = pending.GroupBy(p => p.Shop.Domain).SelectMany(g => g.Chunk(PerRequest).Select(c => c.ToList())).ToList();
    await Stage("store lookup (delivered ids)", async () =>
    {
        foreach (var request in requests)
        {
            var account = request[0].Shop.Pinterest.AdAccountId;
            await delivered.AcceptedAsync(request.Select(e => (e.Partition.Partition.Value, DeliveredIds.Key(account, e.Event.EventId))));
        }
    });

    var bodies = new List<ConversionRequest>();
    await Stage("JSON write (size packing and body)", () =>
    {
        foreach (var request in requests)
        {
            foreach (var packed in RequestSize.Pack(request, e => ConversionRequest.Bytes(e.Event, true), dispatcherOptions.MaxRequestBytes))
            {
                bodies.Add(ConversionRequest.For(packed[0].Shop, packed.Select(e => e.Event).ToList(), baseUrl, true));
            }
        }

        return Task.CompletedTask;
    });

    var answers = new List<PinterestResponse>();
    await Stage("HTTP (loopback, stand-in's work included)", async () =>
    {
        foreach (var body in bodies)
        {
            answers.Add(await client.SendAsync(body, CancellationToken.None));
        }
    });

    var fates = new List<IReadOnlyList<EventFate>>();
    await Stage("answer parse and decision", () =>
    {
        for (var i = 0; i < answers.Count; i++)
        {
            var answer = PinterestAnswer.Read(answers[i], DateTimeOffset.UtcNow);
            fates.Add(((AnswerDecision.Finish)AnswerPolicy.Decide(answer, requests[i].Count, true, dispatcherOptions)).Fates);
        }

        return Task.CompletedTask;
    });

    await Stage("store write and changelog record (delivered ids)", async () =>
    {
        foreach (var request in requests)
        {
            var account = request[0].Shop.Pinterest.AdAccountId;
            await delivered.RecordAsync(request.Select(e => (e.Partition.Partition.Value, DeliveredIds.Key(account, e.Event.EventId), e.Event.ShopDomain)), CancellationToken.None);
        }
    });

    await Stage("delivery record", async () =>
    {
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            await log.FinishAsync(request.Select((e, n) => new Outcome(e, fates[i][n].Status, fates[i][n].Message)).ToList(), CancellationToken.None);
        }
    });

    async Task Stage(string name, Func<Task> work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await work();
        var wall = watch.Elapsed;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds - idleCpuPerSecond * wall.TotalSeconds;
        if (!measured)
        {
            return;
        }

        if (!results.TryGetValue(name, out var list))
        {
            results[name] = list = [];
            order.Add(name);
        }

        list.Add((Math.Max(0, used) * 1e6 / events, wall.TotalSeconds * 1e6 / events, (double)bytes / events));
    }
}

async Task<double> IdleCpuPerSecondAsync()
{
    await Task.Delay(1000);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    await Task.Delay(2000);
    return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / watch.Elapsed.TotalSeconds;
}

static string Span(IEnumerable<double> values, string format = "0.0")
{
    var list = values.ToList();
    var (min, max) = (list.Min(), list.Max());
    return min.ToString(format, CultureInfo.InvariantCulture) == max.ToString(format, CultureInfo.InvariantCulture)
        ? min.ToString(format, CultureInfo.InvariantCulture)
        : $"{min.ToString(format, CultureInfo.InvariantCulture)} – {max.ToString(format, CultureInfo.InvariantCulture)}";
}
