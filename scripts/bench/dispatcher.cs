#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
#:property InvariantGlobalization=false
#:property ServerGarbageCollection=true
#:project ../../src/Dispatcher/Dispatcher.csproj
#:project Support/BenchSupport.csproj
// The dispatcher benchmark (docs/benchmarks.md). One process, one embedded broker, a Pinterest stand-in
// on loopback Kestrel that answers at once, ten shops with an ad account each:
//   1. throughput: events delivered per second against raw consumption of the same records on the same
//      broker in the same run, each after a warm-up round; requests per 1,000 events per ad account. Also
//      against a Kafka pass-through (consume, write the two records a dispatcher writes per event, store
//      offsets after the acks), and in steady state (first record or answer to the last, start-up left out);
//   2. latency at half that rate: record write to Pinterest's answer (the delivery record's latency_ms);
//   3. isolation: the same load with one ad account answering 500 for the whole run; the other nine's
//      throughput against theirs in a healthy run.
// Usage (from scripts/bench): dotnet run -c Release dispatcher.cs -- [events=50000] [latency seconds=10]
// The embedded broker keeps about 5 MiB per partition, dropping the oldest records past it whether they
// were read or not: past about 60,000 events a run would wait forever. The latency part is capped below that
// (LatencyCap), and every wait is bounded and says where it was; SIGINT or SIGTERM ends the run (the hosts'
// own console lifetimes would only stop themselves and leave the script waiting).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Dispatcher;
using Streaming.Kafka.Avro;
using Streaming.Development.Kafka;
using Streaming.Records;
using Streaming.Development.Registry;
using Streaming.Bench;
using static Streaming.Bench.DispatcherBench;

var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
var latencySeconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
// At half the rate, 10 s made up to 160,000 events, more than the broker keeps (and 1 partition of deliveries
// kept only the last ~20,000 for the percentiles): under load a lag of a few seconds lost input for good.
const int LatencyCap = 40_000;

using var cluster = new EmbeddedKafkaCluster();
var serdes = new AvroSerdes(new InMemorySchemaRegistry(), Options.Create(new SchemaRegistryOptions()));
var phase = "start";
using var stop = new CancellationTokenSource();
using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Interrupted);
using var onInt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Interrupted);
await using var pinterest = await PinterestStandIn.StartAsync();
var accepted = pinterest.Accepted;
var requests = pinterest.Requests;

// A signal ends the run between two waits, saying where it was; the stand-in stops either way.
try
{
    // ---- 1. Throughput, after a warm-up round for both sides --------------------------------------------
    // Several rounds: the runtime compiles hot methods again, optimized, only after they ran a while, and a
    // single round left the measured run still paying for that (it ran about twice as fast as JIT-free code).
    var warmUp = Math.Max(5_000, events);
    var warmUpRounds = int.Parse(Environment.GetEnvironmentVariable("BENCH_WARMUP_ROUNDS") ?? "3", CultureInfo.InvariantCulture);
    for (var round = 0; round < warmUpRounds; round++)
    {
        var prefix = $"warm{round}-";
        await ProduceAsync(prefix, warmUp, rate: null);
        RawConsume(prefix, warmUp);
        PassThrough(prefix, warmUp);
        await RunAsync(prefix, warmUp, null);
    }

    await ProduceAsync("", events, rate: null);
    Console.WriteLine($"input: {events} events for {Shops} shops (one ad account each), {Partitions} partitions, after {warmUpRounds} warm-up round(s) of {warmUp}");
    var cpuBefore = ProcessCpu();
    var raw = RawConsume("", events);
    var rawCpu = ProcessCpu() - cpuBefore;
    Console.WriteLine($"raw consumption: {events} records in {raw.Elapsed.TotalSeconds:0.00} s = {events / raw.Elapsed.TotalSeconds:0} records/s; steady {raw.Steady:0} records/s; CPU {rawCpu:0.00} s = {rawCpu * 1e6 / events:0.0} µs per record");
    cpuBefore = ProcessCpu();
    var pass = PassThrough("", events);
    var passCpu = ProcessCpu() - cpuBefore;
    Console.WriteLine($"kafka pass-through: {events} records in {pass.Elapsed.TotalSeconds:0.00} s = {events / pass.Elapsed.TotalSeconds:0} records/s; steady {pass.Steady:0} records/s; CPU {passCpu:0.00} s = {passCpu * 1e6 / events:0.0} µs per record");
    requests.Clear();
    cpuBefore = ProcessCpu();
    var healthy = await RunAsync("", events, null);
    var dispatcherCpu = ProcessCpu() - cpuBefore;
    var perAccount = requests.Values.Average();
    Console.WriteLine($"dispatcher: {events} events accepted in {healthy.Elapsed.TotalSeconds:0.00} s = {events / healthy.Elapsed.TotalSeconds:0} events/s; ratio {raw.Elapsed.TotalSeconds / healthy.Elapsed.TotalSeconds:0.00}");
    Console.WriteLine($"dispatcher steady: {healthy.Steady:0} events/s; against raw consumption {healthy.Steady / raw.Steady:0.00}, against the pass-through {healthy.Steady / pass.Steady:0.00}");
    // CPU per event holds up under a loaded machine better than events per second: the ratio of the pass-through's to the dispatcher's.
    Console.WriteLine($"dispatcher CPU {dispatcherCpu:0.00} s = {dispatcherCpu * 1e6 / events:0.0} µs per event (host start and stop included); pass-through / dispatcher CPU per event {passCpu / dispatcherCpu:0.00}");
    Console.WriteLine($"requests per ad account: {perAccount:0.0} for {events / Shops} events = {perAccount / (events / Shops / 1000.0):0.00} per 1,000 events");

    // ---- 2. Latency at half the measured rate ---------------------------------------------------------
    var rate = events / healthy.Elapsed.TotalSeconds / 2;
    // BENCH_LATENCY_CAP raises the cap, for a longer trickle on a quiet machine: the line then says if the broker dropped input.
    var cap = int.Parse(Environment.GetEnvironmentVariable("BENCH_LATENCY_CAP") ?? $"{LatencyCap}", CultureInfo.InvariantCulture);
    var paced = Math.Min((int)(rate * latencySeconds), cap);
    var latencies = await LatencyAsync("lat-", paced, rate);
    Console.WriteLine($"latency at {rate:0} events/s ({paced} events{(paced == cap ? $", capped at {cap}" : "")}): record write to Pinterest's answer p50 {Percentile(latencies, 0.50)} ms, p99 {Percentile(latencies, 0.99)} ms");

    // ---- 3. One ad account answering 500 for the whole run -------------------------------------------
    await ProduceAsync("iso-", events, rate: null);
    pinterest.FailingAccount = AdAccount(0);
    var faulted = await RunAsync("iso-", events, pinterest.FailingAccount);
    var healthyNine = healthy.HealthyNine.TotalSeconds;
    Console.WriteLine($"nine healthy accounts: {healthy.HealthyEvents} events in {healthyNine:0.00} s with all ten healthy, in {faulted.HealthyNine.TotalSeconds:0.00} s with account 100 answering 500 ({requests.GetValueOrDefault("100")} calls to it); ratio {healthyNine / faulted.HealthyNine.TotalSeconds:0.00}");
}
catch (OperationCanceledException e) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine(e.Message);
    Environment.ExitCode = 130;
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
        if (i % 1000 == 0)
        {
            Check(prefix + "pinterest", i, count);
        }

        if (rate is { } r && i / r > watch.Elapsed.TotalSeconds)
        {
            await Task.Delay(TimeSpan.FromSeconds(i / r) - watch.Elapsed);
        }

        var e = Checkout(prefix, i);
        producer.Produce(prefix + "pinterest", new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"{e.ShopDomain}/{e.EventId}"), Value = await serdes.SerializeAsync(e, prefix + "pinterest") });
    }

    producer.Flush();
}

(TimeSpan Elapsed, double Steady) RawConsume(string prefix, int count)
{
    var watch = Stopwatch.StartNew();
    using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
    {
        BootstrapServers = cluster.BootstrapServers, GroupId = prefix + "raw-" + Guid.NewGuid(), AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoOffsetStore = false,
    }).Build();
    consumer.Subscribe(prefix + "pinterest");
    var seen = 0;
    long first = 0;
    phase = $"{prefix}raw consumption";
    while (seen < count)
    {
        Check(prefix + "pinterest", seen, count);
        if (consumer.Consume(TimeSpan.FromSeconds(1)) is { } result)
        {
            consumer.StoreOffset(result);
            first = seen == 0 ? Stopwatch.GetTimestamp() : first;
            seen++;
        }
    }

    var steady = (count - 1) / Stopwatch.GetElapsedTime(first).TotalSeconds;
    consumer.Close();
    return (watch.Elapsed, steady);
}

// What any dispatcher must do on this broker whatever its logic: read each record and write two (a delivery
// record and a changelog record of the sizes the dispatcher writes, through a producer set up as the
// pipeline's), storing a burst's offsets once its writes are acknowledged.
(TimeSpan Elapsed, double Steady) PassThrough(string prefix, int count)
{
    cluster.CreateTopic(prefix + "pt-deliveries", 1);
    cluster.CreateTopic(prefix + "pt-delivered", Partitions);
    var watch = Stopwatch.StartNew();
    using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
    {
        BootstrapServers = cluster.BootstrapServers, EnableIdempotence = true, Acks = Acks.All, LingerMs = 5, CompressionType = CompressionType.Lz4,
    }).Build();
    using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
    {
        BootstrapServers = cluster.BootstrapServers, GroupId = prefix + "pt-" + Guid.NewGuid(), AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoOffsetStore = false, FetchWaitMaxMs = 10,
    }).Build();
    consumer.Subscribe(prefix + "pinterest");
    var delivery = new byte[150];
    var changelog = new byte[40];
    var seen = 0;
    long first = 0;
    var burst = new List<ConsumeResult<byte[], byte[]>>();
    phase = $"{prefix}pass-through";
    while (seen < count)
    {
        Check(prefix + "pinterest", seen, count);
        burst.Clear();
        while (burst.Count < 1000 && consumer.Consume(burst.Count == 0 ? TimeSpan.FromSeconds(1) : TimeSpan.Zero) is { } result)
        {
            burst.Add(result);
        }

        if (burst.Count == 0)
        {
            continue;
        }

        first = seen == 0 ? Stopwatch.GetTimestamp() : first;
        var acked = new CountdownEvent(burst.Count * 2);
        foreach (var result in burst)
        {
            producer.Produce(prefix + "pt-deliveries", new Message<byte[], byte[]> { Key = result.Message.Key, Value = delivery }, _ => acked.Signal());
            producer.Produce(new TopicPartition(prefix + "pt-delivered", result.Partition), new Message<byte[], byte[]> { Key = result.Message.Key, Value = changelog }, _ => acked.Signal());
        }

        acked.Wait();
        foreach (var result in burst)
        {
            consumer.StoreOffset(result);
        }

        seen += burst.Count;
    }

    var steady = (count - 1) / Stopwatch.GetElapsedTime(first).TotalSeconds;
    consumer.Close();
    return (watch.Elapsed, steady);
}

IHost Dispatcher(string prefix)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    if (Environment.GetEnvironmentVariable("BENCH_LOG") is not null)
    {
        builder.Logging.AddConsole();
    }

    var settings = Settings(cluster.BootstrapServers, prefix, pinterest.Url);
    settings["Dispatcher:GroupId"] = prefix + "bench-dispatcher-" + Guid.NewGuid();
    foreach (var linger in new[] { Environment.GetEnvironmentVariable("BENCH_LINGER") })
    {
        if (linger is not null)
        {
            settings["Dispatcher:Linger"] = linger;
        }
    }

    // BENCH_ADAPTIVE_LINGER=false: the whole linger always, to compare with the adaptive one (the default).
    if (Environment.GetEnvironmentVariable("BENCH_ADAPTIVE_LINGER") is { } adaptive)
    {
        settings["Dispatcher:AdaptiveLinger"] = adaptive;
    }

    builder.Configuration.AddInMemoryCollection(settings);
    builder.AddDispatcher();
    return builder.Build();
}

async Task<(TimeSpan Elapsed, TimeSpan HealthyNine, long HealthyEvents, double Steady)> RunAsync(string prefix, int count, string? failingAccount)
{
    pinterest.NewRun();
    var started = Stopwatch.GetTimestamp();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var healthyAccounts = Enumerable.Range(1, Shops - 1).Select(AdAccount).ToList();
    var healthyEvents = Enumerable.Range(0, count).LongCount(i => i % Shops != 0);
    var watch = Stopwatch.StartNew();
    phase = $"{prefix}dispatcher run";
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
        Check(prefix + "pinterest", accepted.Values.Sum(), count);
        if (watch.Elapsed > TimeSpan.FromMinutes(5))
        {
            throw new TimeoutException($"{prefix}: {accepted.Values.Sum()} of {count} events accepted after 5 minutes; requests {string.Join(", ", requests.Select(r => $"{r.Key}={r.Value}"))}");
        }
    }

    var elapsed = watch.Elapsed;
    var (firstAnswer, answeredAtFirst) = pinterest.FirstAnswer;
    Console.WriteLine($"  ({prefix}run: first answer {Stopwatch.GetElapsedTime(started, firstAnswer ?? started).TotalSeconds:0.00} s after the start, all answered at {elapsed.TotalSeconds:0.00} s; CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.00} s)");
    var steady = (accepted.Values.Sum() - answeredAtFirst) / Stopwatch.GetElapsedTime(firstAnswer ?? started, pinterest.LastAnswer).TotalSeconds;
    await host.StopAsync();
    return (elapsed, healthyNine, healthyEvents, steady);
}

async Task<List<long>> LatencyAsync(string prefix, int count, double rate)
{
    pinterest.NewRun();
    foreach (var topic in new[] { "pinterest", "deliveries", "delivered", "dead" })
    {
        // The deliveries too on six partitions: on one, the broker kept only the last 5 MiB of them.
        cluster.CreateTopic(prefix + topic, topic == "dead" ? 1 : Partitions);
    }

    phase = $"{prefix}latency";
    using var host = Dispatcher(prefix);
    await host.StartAsync();
    await Task.Delay(TimeSpan.FromSeconds(3));
    await ProduceAsync(prefix, count, rate);
    // Bounded: a run that stops making progress says how far it got and whether the broker dropped input.
    var (progress, since) = (-1L, Stopwatch.StartNew());
    while (accepted.Values.Sum() is var sum && sum < count)
    {
        (progress, since) = sum > progress ? (sum, Stopwatch.StartNew()) : (progress, since);
        if (since.Elapsed > TimeSpan.FromMinutes(1))
        {
            throw new TimeoutException($"{phase}: {sum} of {count} events accepted, none more for a minute; {Dropped(prefix + "pinterest")} input record(s) dropped by the broker");
        }

        Check(prefix + "pinterest", sum, count);
        await Task.Delay(10);
    }

    await Task.Delay(1000);
    await host.StopAsync();
    if (Dropped(prefix + "pinterest") is > 0 and var dropped)
    {
        Console.WriteLine($"  (latency: the broker dropped the oldest {dropped} input records, read in time here; a lag of a few seconds would have lost them)");
    }

    var latencies = new List<long>();
    using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "lat-" + Guid.NewGuid(), AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
    consumer.Subscribe(prefix + "deliveries");
    while (latencies.Count < count && consumer.Consume(TimeSpan.FromSeconds(10)) is { } result)
    {
        latencies.Add((await serdes.DeserializeAsync<PinterestDelivery>(result.Message.Value, result.Topic)).LatencyMs);
    }

    if (latencies.Count < count)
    {
        Console.WriteLine($"  (latency: only {latencies.Count} of {count} delivery records read back; {Dropped(prefix + "deliveries")} dropped by the broker: the percentiles are of those read)");
    }

    return latencies;
}

// Records the broker dropped from the start of the topic's partitions (its low watermarks).
long Dropped(string topic)
{
    using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "wm-" + Guid.NewGuid() }).Build();
    return Enumerable.Range(0, Partitions).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(5)).Low);
}

void Check(string input, long done, long count)
{
    if (stop.IsCancellationRequested)
    {
        throw new OperationCanceledException($"Interrupted during {phase}: {done} of {count} done; {Dropped(input)} input record(s) dropped by the broker");
    }
}

void Interrupted(System.Runtime.InteropServices.PosixSignalContext context)
{
    context.Cancel = true;
    Console.Error.WriteLine($"{context.Signal} during {phase}: stopping");
    stop.Cancel();
}

static double ProcessCpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

static long Percentile(List<long> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? -1 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
