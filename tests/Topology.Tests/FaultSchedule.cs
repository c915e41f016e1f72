using Confluent.Kafka;
using Streaming.Development.Kafka;

namespace Streaming.Topology.Tests;

/// <summary>A named fault, and when it ran on the test's clock.</summary>
public sealed record Phase(string Name, TimeSpan Start, TimeSpan End);

/// <summary>
/// The faults, one after another, while shoppers keep coming. Each step injects its fault, waits out the
/// outage, lifts it, and gives the pipeline a few seconds before the next. Outage windows are the ones the
/// brief names, except where noted. The schema registry's outage spans the last three steps.
/// </summary>
public sealed class FaultSchedule(Topology topology, PinterestAnswers pinterest)
{
    /// <summary>The broker outage: as long as asked for, 30 s.</summary>
    public static readonly TimeSpan BrokerOutage = TimeSpan.FromSeconds(30);

    /// <summary>How long the failing ad account fails. Shortened from "a while" to 20 s to keep the suite short.</summary>
    public static readonly TimeSpan AdAccountOutage = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public List<Phase> Phases { get; } = [];

    /// <summary>The schema registry's outage, and what went against its expectations.</summary>
    public RegistryOutage Registry { get; } = new(topology);

    /// <summary>How many times the schedule has started (a soak runs it again and again).</summary>
    public int Round { get; private set; }

    public async Task RunAsync()
    {
        Round++;
        await StepAsync("steady (no fault)", () => Task.Delay(TimeSpan.FromSeconds(8)));
        await StepAsync("enricher-1 and dispatcher-1 SIGKILLed, restarted after 5 s", KillAndRestartAsync);
        await StepAsync("rolling restart of every replica (SIGTERM, exit, start, /readyz)", RollingRestartAsync);
        await StepAsync($"broker 1 down for {BrokerOutage.TotalSeconds:0} s", BrokerDownAsync);
        // The registry outage overlaps the next two faults: replicas that stay up work from their schema caches,
        // so for them it is no fault and both keep their meaning. It ends with restarts that must fetch schemas.
        await StepAsync("partition leaders moved; produce requests refused, broker 2 slowed; schema registry goes down", () =>
        {
            Registry.Begin();
            return LeadersMovedAsync();
        });
        await StepAsync($"ad account {Shops.Failing.AdAccountId} answers 500, 429 and hangs for {AdAccountOutage.TotalSeconds:0} s; schema registry still down", AdAccountFailsAsync);
        await StepAsync(
            $"schema registry down until {RegistryOutage.Length.TotalSeconds:0} s: {string.Join(" and ", RegistryOutage.Restarted)} restarted, {RegistryOutage.Restarted[0]} SIGTERMed while it waits, ingest restarted; then back",
            Registry.RestartAndEndAsync);
    }

    /// <summary>How long the brief schedule keeps the registry unreachable, inside the leaders' move.</summary>
    public static readonly TimeSpan RegistryBlip = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The schedule of the default run, about a minute: a rolling restart of every replica (what each
    /// deployment does), then leaders moved with produce requests refused while the registry is unreachable
    /// (the phase in which the long schedule once lost an order), Ingest restarted in it with no schema in its
    /// cache. No SIGKILL: with static membership a
    /// killed member is refused until its session times out, which the long schedule covers with dynamic ones.
    /// </summary>
    public async Task RunBriefAsync()
    {
        Round++;
        await StepAsync("steady (no fault)", () => Task.Delay(TimeSpan.FromSeconds(5)));
        await StepAsync("rolling restart of every replica (SIGTERM, exit, start, /readyz)", RollingRestartAsync);
        await StepAsync($"partition leaders moved; produce requests refused, broker 2 slowed; schema registry unreachable for {RegistryBlip.TotalSeconds:0} s, ingest restarted in it", async () =>
        {
            topology.Registry.Reachable = false;
            topology.Note("schema registry unreachable (connections reset)");
            var moved = LeadersMovedAsync();
            // Replicas that stay up read and write from their caches; a restarted Ingest has schemas to register.
            await topology.Ingest.StopAsync(Topology.Grace);
            topology.Ingest.Start();
            await topology.Ingest.WaitReadyAsync(topology.Http, Topology.StartPatience);
            topology.Note("ingest restarted, registry still down");
            await moved;
            // A slow restart can outlast the leader moves: the restarted Ingest meets the outage only once a
            // shopper's request makes it ask for a schema, so the registry stays down until it did (bounded).
            var asked = Stopwatch.StartNew();
            while (topology.Registry.Refused.Count == 0 && asked.Elapsed < RegistryBlip)
            {
                await Task.Delay(100);
            }

            topology.Registry.Reachable = true;
            topology.Note($"schema registry reachable again ({topology.Registry.Refused.Count} request(s) refused)");
        });
    }

    private async Task StepAsync(string step, Func<Task> fault)
    {
        var name = Round == 1 ? step : $"{step} (round {Round})";
        var start = topology.Clock.Elapsed;
        topology.Note($"begin: {name}");
        await fault();
        await topology.RestartCrashedAsync();
        await Task.Delay(Settle);
        await topology.RestartCrashedAsync();
        Phases.Add(new Phase(name, start, topology.Clock.Elapsed));
        topology.Note($"end: {name}");
    }

    private async Task KillAndRestartAsync()
    {
        var victims = new[] { topology.Replica("enricher-1"), topology.Replica("dispatcher-1") };
        foreach (var victim in victims)
        {
            victim.Kill();
            topology.Note($"{victim.Name} SIGKILLed");
        }

        await Task.Delay(TimeSpan.FromSeconds(5));
        foreach (var victim in victims)
        {
            victim.Start();
        }

        foreach (var victim in victims)
        {
            await victim.WaitReadyAsync(topology.Http, Topology.StartPatience);
            topology.Note($"{victim.Name} ready again");
        }
    }

    private async Task RollingRestartAsync()
    {
        foreach (var replica in topology.Replicas)
        {
            await replica.StopAsync(Topology.Grace);
            topology.Note($"{replica.Name} stopped after SIGTERM");
            replica.Start();
            await replica.WaitReadyAsync(topology.Http, Topology.StartPatience);
            topology.Note($"{replica.Name} ready again");
        }
    }

    private async Task BrokerDownAsync()
    {
        var moved = topology.Cluster.TakeBrokerDown(1);
        topology.Note($"broker 1 down; {moved} partition leaders and both groups' coordinator moved to brokers 2 and 3");
        var outage = Task.Delay(BrokerOutage);
        await Task.Delay(BrokerOutage / 2);
        await topology.SnapshotAsync($"broker-down-{Round}");
        await outage;
        topology.Cluster.BringBrokerUp(1);
        topology.Note("broker 1 up");
    }

    private async Task LeadersMovedAsync()
    {
        var moved = topology.Cluster.MovePartitionLeaders();
        topology.Note($"{moved} partition leaders moved");
        topology.Cluster.FailNextRequests(KafkaApi.Produce, [.. Enumerable.Repeat(ErrorCode.NotEnoughReplicas, 5), .. Enumerable.Repeat(ErrorCode.RequestTimedOut, 5)]);
        topology.Cluster.SetRoundTrip(2, TimeSpan.FromMilliseconds(300));
        topology.Note("next 10 produce requests refused (5 NOT_ENOUGH_REPLICAS, 5 REQUEST_TIMED_OUT); broker 2 answers 300 ms late");
        await Task.Delay(TimeSpan.FromSeconds(10));
        topology.Cluster.SetRoundTrip(2, TimeSpan.Zero);
        topology.Cluster.ClearInjectedErrors(KafkaApi.Produce);
        topology.Note("broker 2 fast again");
    }

    private async Task AdAccountFailsAsync()
    {
        pinterest.Failing = Shops.Failing.AdAccountId;
        var outage = Task.Delay(AdAccountOutage);
        await Task.Delay(AdAccountOutage * 0.75);
        await topology.SnapshotAsync($"ad-account-failing-{Round}");
        await outage;
        pinterest.Failing = null;
    }
}
