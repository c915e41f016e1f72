using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Streaming.Development.Kafka;

namespace Streaming.Topology.Tests;

/// <summary>
/// What users deploy, on this machine: a three-broker cluster hosted by the test, Ingest, two Enrichers,
/// two Dispatchers and the Operator view as published processes of their own, and a fake Pinterest with
/// one ad account per shop. Settings are production's defaults except where a line below says why.
/// </summary>
public sealed class Topology : IAsyncDisposable
{
    public const int Brokers = 3;
    public const int Partitions = 6;
    public const string OperatorToken = "topology-tests-operator-token";

    /// <summary>Kubernetes' default terminationGracePeriodSeconds.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(90);

    private readonly ConcurrentQueue<string> _timeline = new();
    private readonly ConcurrentQueue<ReadinessChange> _readiness = new();
    private readonly CancellationTokenSource _sampling = new();
    private Task _sampler = Task.CompletedTask;

    private Topology(EmbeddedKafkaCluster cluster, TestTopics topics, FakePinterest pinterest, SchemaRegistryStandIn registry, string stateRoot, string artifacts)
    {
        Artifacts = artifacts;
        Cluster = cluster;
        Topics = topics;
        Pinterest = pinterest;
        Registry = registry;
        StateRoot = stateRoot;
    }

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public TopologyOptions Options { get; private init; } = new();

    public EmbeddedKafkaCluster Cluster { get; }

    public TestTopics Topics { get; }

    public FakePinterest Pinterest { get; }

    /// <summary>The one schema registry every replica uses, over HTTP; a fault makes it unreachable.</summary>
    public SchemaRegistryStandIn Registry { get; }

    public string StateRoot { get; }

    /// <summary>Where the figures, each replica's console and the snapshots go.</summary>
    public string Artifacts { get; }

    public string EnricherGroup { get; } = $"topology-enricher-{Guid.NewGuid():N}";

    public string DispatcherGroup { get; } = $"topology-dispatcher-{Guid.NewGuid():N}";

    public List<Replica> Replicas { get; } = [];

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public Replica Ingest => Replica("ingest");

    public IReadOnlyList<string> Timeline => [.. _timeline];

    public IReadOnlyList<ReadinessChange> Readiness => [.. _readiness];

    public Replica Replica(string name) => Replicas.Single(r => r.Name == name);

    public static async Task<Topology> StartAsync(string artifacts, Action<string> log, TopologyOptions? options = null)
    {
        options ??= new TopologyOptions();
        var publications = options.Published
            ? await Task.WhenAll(Deployables.All.Select(Published.OfAsync))
            : [.. Deployables.All.Select(BuildOutput.Of)];
        log(options.Published
            ? $"Published {string.Join(", ", publications.Select(p => $"{p.Deployable} in {p.Took.TotalSeconds:0.0} s"))} ({Published.Configuration})."
            : $"Running each deployable from its build output ({Published.Configuration}), not published.");

        var cluster = new EmbeddedKafkaCluster(Brokers);
        var topics = TestTopics.Unique(Partitions);
        foreach (var topic in topics.All)
        {
            cluster.CreateTopic(topic);
        }

        var pinterest = await FakePinterest.StartAsync();
        var registry = await SchemaRegistryStandIn.StartAsync();
        var topology = new Topology(cluster, topics, pinterest, registry, Directory.CreateTempSubdirectory("topology-state-").FullName, artifacts)
        {
            Options = options,
        };
        // Both groups on broker 1, the broker the schedule takes down: their coordinator has to move.
        cluster.AssignGroupCoordinator(topology.EnricherGroup, 1);
        cluster.AssignGroupCoordinator(topology.DispatcherGroup, 1);

        var byName = publications.ToDictionary(p => p.Deployable.Name);
        foreach (var (name, deployable) in new[]
                 {
                     ("ingest", "ingest"), ("enricher-1", "enricher"), ("enricher-2", "enricher"),
                     ("dispatcher-1", "dispatcher"), ("dispatcher-2", "dispatcher"), ("operator", "operator"),
                 })
        {
            var url = new Uri($"http://127.0.0.1:{FreePort()}");
            topology.Replicas.Add(new Replica(name, byName[deployable], url, topology.Environment(name, byName[deployable].Deployable, url)));
        }

        foreach (var replica in topology.Replicas)
        {
            replica.Start();
        }

        foreach (var replica in topology.Replicas)
        {
            await replica.WaitReadyAsync(topology.Http, StartPatience);
        }

        topology.Note($"all {topology.Replicas.Count} replicas ready on {cluster.Description}");
        topology._sampler = topology.SampleReadinessAsync(topology._sampling.Token);
        return topology;
    }

    public void Note(string what) => _timeline.Enqueue($"{Clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

    /// <summary>Replicas that exited without being asked to; each is recorded as a crash and started again, as Kubernetes would.</summary>
    public async Task RestartCrashedAsync()
    {
        foreach (var replica in Replicas.Where(r => r.NoticeCrash()).ToList())
        {
            Note($"{replica.Name} crashed; started again");
            replica.Start();
            await replica.WaitReadyAsync(Http, StartPatience);
        }
    }

    /// <summary>The operator page as the operator sees it now, and every replica's metrics, saved as files named after <paramref name="label"/>.</summary>
    public async Task SnapshotAsync(string label)
    {
        using var page = new HttpRequestMessage(HttpMethod.Get, new Uri(Replica("operator").Url, "/operator"));
        page.Headers.Authorization = new("Bearer", OperatorToken);
        await SaveAsync(page, Path.Combine(Artifacts, $"operator-{label}.html"));
        foreach (var replica in Replicas)
        {
            using var metrics = new HttpRequestMessage(HttpMethod.Get, new Uri(replica.Url, "/metrics"));
            await SaveAsync(metrics, Path.Combine(Artifacts, $"{replica.Name}-{label}.metrics.txt"));
        }

        Note($"snapshot '{label}' of the operator page and the metrics taken");
    }

    public async ValueTask DisposeAsync()
    {
        await _sampling.CancelAsync();
        await _sampler;
        foreach (var replica in Replicas)
        {
            replica.Dispose();
        }

        await Pinterest.DisposeAsync();
        await Registry.DisposeAsync();
        Cluster.Dispose();
        Http.Dispose();
        _sampling.Dispose();
    }

    /// <summary>A replica's settings, as environment variables the way a pod gets them.</summary>
    private Dictionary<string, string?> Environment(string name, Deployable deployable, Uri url)
    {
        var settings = TestSettings.For(Cluster.BootstrapServers, Topics, Pinterest.BaseUrl);
        // Production's values, not the short ones of the single-host tests.
        foreach (var key in new[]
                 {
                     "Kafka:DeliveryTimeout", "Enricher:MaxBatchWait", "Dispatcher:Linger", "Dispatcher:MaxEventAge",
                     "Pinterest:CircuitBreakerMinimumThroughput", "Enricher:GracePeriod",
                 })
        {
            settings.Remove(key);
        }

        foreach (var (key, value) in Shops.Settings())
        {
            settings[key] = value;
        }

        if (Options.StaticMembership && deployable.ConsumerGroupSetting is not null)
        {
            // What the chart fills in from the pod's name: a restart with the same name gets its partitions back.
            settings["Kafka:GroupInstanceId"] = name;
        }

        settings["Enricher:GroupId"] = EnricherGroup;
        settings["Dispatcher:GroupId"] = DispatcherGroup;
        settings["Enricher:State:Directory"] = Path.Combine(StateRoot, name);
        settings["Dispatcher:State:Directory"] = Path.Combine(StateRoot, name);
        settings["Pinterest:DryRunFile"] = Path.Combine(StateRoot, $"{name}-dry-run.jsonl");
        // Bounds the wait for a session that never comes, so the drain at the end is bounded (production: 2 min).
        settings["Enricher:GraceWallClockCap"] = "00:00:30";
        // A failing ad account is retried within seconds (production waits up to 60 s): the schedule's window is short.
        settings["Dispatcher:RetryBaseDelay"] = "00:00:00.200";
        settings["Dispatcher:MaxRetryBackoff"] = "00:00:05";
        // A real broker answers a fetch as soon as records arrive; the mock, reached by address, holds every
        // empty fetch for fetch.wait.max.ms. 10 ms makes it behave like the real one.
        settings["Kafka:Client:fetch.wait.max.ms"] = "10";
        // 127.0.0.1 is every shopper here: the per-client limit would throttle the whole storefront.
        settings["Storefront:RequestsPerMinutePerClient"] = "1000000";
        settings["Telemetry:PrometheusMetrics"] = "true";
        settings["Operator:Token"] = OperatorToken;
        settings["Logging:LogLevel:Default"] = "Information";
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning";
        settings["DOTNET_ENVIRONMENT"] = "Production";
        settings["ASPNETCORE_ENVIRONMENT"] = "Production";
        RegistrySettings(settings);

        // The deployable's own start settings first: the topology's (its operator token) win.
        var environment = (deployable.StartSettings ?? new Dictionary<string, string?>()).Concat(settings)
            .GroupBy(s => s.Key.Replace(":", "__", StringComparison.Ordinal))
            .ToDictionary(g => g.Key, g => g.Last().Value);
        environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        return environment;
    }

    /// <summary>
    /// Where the replicas find the schema registry: the stand-in this test serves over HTTP, as the chart's
    /// required <c>SchemaRegistry:Url</c> would name a real one. The test settings' in-memory registry goes,
    /// since the production guard refuses both at once. Serializer settings stay production's defaults
    /// (<c>AutoRegisterSchemas</c> true, the topic-name subject <c>&lt;topic&gt;-value</c>), as the chart
    /// and docker-compose leave them.
    /// </summary>
    private void RegistrySettings(Dictionary<string, string?> settings)
    {
        settings.Remove("SchemaRegistry:UseInMemoryRegistry");
        settings["SchemaRegistry:Url"] = Registry.BaseUrl.ToString();
    }

    /// <summary>Probes every replica's /readyz once a second and keeps what changed: what an operator's dashboard would show.</summary>
    private async Task SampleReadinessAsync(CancellationToken stop)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var last = new Dictionary<string, string>();
        while (!stop.IsCancellationRequested)
        {
            foreach (var replica in Replicas)
            {
                var (status, body) = await replica.ProbeAsync(probe);
                var summary = status == 200 ? "200" : $"{status} {Summarize(body)}";
                if (!last.TryGetValue(replica.Name, out var before) || before != summary)
                {
                    last[replica.Name] = summary;
                    _readiness.Enqueue(new ReadinessChange(Clock.Elapsed, replica.Name, status, status == 200 ? "" : Summarize(body)));
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SaveAsync(HttpRequestMessage request, string path)
    {
        try
        {
            using var answer = await Http.SendAsync(request);
            await File.WriteAllTextAsync(path, $"{(int)answer.StatusCode}\n{await answer.Content.ReadAsStringAsync()}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await File.WriteAllTextAsync(path, $"not answered: {e.Message}");
        }
    }

    private static string Summarize(string body) => body.Length <= 300 ? body.ReplaceLineEndings(" ") : body[..300].ReplaceLineEndings(" ") + "…";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>How the deployables run: published as the image runs them, or from the tests' build output (seconds instead of a minute of publishing); as static group members (the chart's pod names) or dynamic ones.</summary>
public sealed record TopologyOptions(bool Published = true, bool StaticMembership = false);

/// <summary>A deployable's build output, which the test project's references have built: its apphost runs as the published one does.</summary>
public static class BuildOutput
{
    public static Publication Of(Deployable deployable) =>
        new(deployable, Repository.File("src", deployable.Project, "bin", Published.Configuration, "net10.0"), 0, "", TimeSpan.Zero);
}

/// <summary>The two shops, each with an ad account of its own.</summary>
public static class Shops
{
    public static readonly Shop Healthy = new("healthy-shop.myshopify.com", "healthy-shop-secret", "100000000001", "healthy-token");
    public static readonly Shop Failing = new("failing-shop.myshopify.com", "failing-shop-secret", "100000000002", "failing-token");

    public static IReadOnlyList<Shop> All => [Healthy, Failing];

    public static IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        for (var i = 0; i < All.Count; i++)
        {
            var shop = All[i];
            var prefix = $"Shops:{i.ToString(CultureInfo.InvariantCulture)}";
            yield return new($"{prefix}:Domain", shop.Domain);
            yield return new($"{prefix}:WebhookSecrets:0", shop.Secret);
            yield return new($"{prefix}:Pinterest:AdAccountId", shop.AdAccountId);
            yield return new($"{prefix}:Pinterest:ConversionToken", shop.ConversionToken);
            yield return new($"{prefix}:Pinterest:TestMode", "false");
        }
    }
}

public sealed record Shop(string Domain, string Secret, string AdAccountId, string ConversionToken);
