namespace Streaming.Topology.Tests;

/// <summary>
/// The schema registry unreachable for <see cref="Length"/> (every connection reset). The replicas that stay
/// up hold every schema they need in their caches and must not notice. Replicas started during it must fetch
/// schemas and cannot: an Enricher and a Dispatcher are restarted, wait with their partitions paused, one of
/// them is sent SIGTERM while it waits, and Ingest is restarted near the end, so that it has schemas it cannot
/// register. What went against the expectations is kept in <see cref="Findings"/>.
/// </summary>
public sealed class RegistryOutage(Topology topology)
{
    public static readonly TimeSpan Length = TimeSpan.FromSeconds(60);

    /// <summary>An Enricher and a Dispatcher: each holds partitions whose records need schemas fetched by id.</summary>
    public static readonly IReadOnlyList<string> Restarted = ["enricher-2", "dispatcher-2"];

    // Ingest is restarted this long before the registry comes back: long enough to answer shoppers from a
    // cold cache, short enough that orders flow for most of the outage.
    private static readonly TimeSpan IngestColdBeforeEnd = TimeSpan.FromSeconds(12);

    // How long a restarted replica has to show that it waits, and then that it goes on.
    private static readonly TimeSpan LogPatience = TimeSpan.FromSeconds(30);

    // Log lines of the reading kernel (src/Kafka/Reading/RecordReader.cs) and of the consumer loop (ConsumerLoop.cs).
    private static readonly string[] Waits = ["cannot be read yet", "cannot get ready for"];
    private const string GoesOn = "after waiting";
    private const string LeftGroup = "without a clean hand-over";
    private const string GaveUp = " gave up ";

    private readonly Dictionary<string, (int Starts, int From)> _stayedUp = new(StringComparer.Ordinal);
    private TimeSpan _began;

    /// <summary>Expectations that did not hold, each a sentence naming the replica.</summary>
    public List<string> Findings { get; } = [];

    /// <summary>How long each SIGTERM sent during an outage took to end its process.</summary>
    public List<string> Exits { get; } = [];

    /// <summary>Makes the registry unreachable and marks where each replica's console stood.</summary>
    public void Begin()
    {
        _began = topology.Clock.Elapsed;
        _stayedUp.Clear();
        foreach (var replica in topology.Replicas)
        {
            _stayedUp[replica.Name] = (replica.Starts, replica.CurrentOutput.Length);
        }

        topology.Registry.Reachable = false;
        topology.Note($"schema registry unreachable (connections reset) for {Length.TotalSeconds:0} s");
    }

    /// <summary>The restarts, then the rest of the outage, then the registry back and the restarted replicas going on.</summary>
    public async Task RestartAndEndAsync()
    {
        var end = _began + Length;
        var restarted = Restarted.Select(topology.Replica).ToList();
        await Task.WhenAll(restarted.Select(RestartAsync));
        await Task.WhenAll(restarted.Select(r => ExpectLogAsync(r, Waits, end, "wait for a schema while the registry was down")));

        // A stop must not be held up by a record that waits for the registry.
        var waiting = restarted[0];
        await RestartAsync(waiting);

        await DelayUntil(end - IngestColdBeforeEnd);
        var ingest = topology.Ingest;
        Check(ingest, topology.Clock.Elapsed);
        await RestartAsync(ingest);

        await DelayUntil(end);
        var stayedUp = topology.Replicas.Where(r => !Restarted.Contains(r.Name) && r != ingest).ToList();
        foreach (var replica in stayedUp)
        {
            Check(replica, end);
        }

        topology.Registry.Reachable = true;
        topology.Note($"schema registry reachable again ({topology.Registry.Refused.Count} request(s) refused so far)");
        // The kernel logs a wait only once a fetch has failed; a fetch still inside the registry client's own
        // retries when the registry comes back succeeds and the partition goes on without a line either way
        // (the last start of the replica SIGTERMed above, typically). The drain's "none lost" covers those.
        var logged = restarted.Where(r => Waits.Any(w => r.CurrentOutput.Contains(w, StringComparison.Ordinal))).ToList();
        foreach (var silent in restarted.Except(logged))
        {
            topology.Note($"{silent.Name} logged no wait in its last start (its schema fetches were still being retried when the registry came back)");
        }

        await Task.WhenAll(logged.Select(r => ExpectLogAsync(r, [GoesOn], topology.Clock.Elapsed + LogPatience, "go on once the registry was back")));
    }

    private async Task RestartAsync(Replica replica)
    {
        var took = await replica.StopAsync(Topology.Grace);
        var exit = string.Create(CultureInfo.InvariantCulture, $"{replica.Name} exited {took.TotalSeconds:0.0} s after SIGTERM, registry down");
        Exits.Add(exit);
        topology.Note(exit);
        replica.Start();
        await replica.WaitReadyAsync(topology.Http, Topology.StartPatience);
        topology.Note($"{replica.Name} ready again, registry still down");
    }

    /// <summary>Waits until the replica's running process logged one of <paramref name="lines"/>; a finding when it did not by <paramref name="until"/>.</summary>
    private async Task ExpectLogAsync(Replica replica, string[] lines, TimeSpan until, string expected)
    {
        var patience = until - topology.Clock.Elapsed;
        if (patience < LogPatience / 3)
        {
            until = topology.Clock.Elapsed + (LogPatience / 3);
        }

        while (!lines.Any(l => replica.CurrentOutput.Contains(l, StringComparison.Ordinal)))
        {
            if (topology.Clock.Elapsed > until)
            {
                Findings.Add($"{replica.Name} did not {expected}: no log line with '{string.Join("' or '", lines)}' by {until.TotalSeconds:0} s.");
                return;
            }

            await Task.Delay(250);
        }

        topology.Note($"{replica.Name} logged '{lines.First(l => replica.CurrentOutput.Contains(l, StringComparison.Ordinal))}'");
    }

    /// <summary>
    /// What a replica that stayed up logged since the outage began: it must not have left its group, nor
    /// waited for a schema it had already used. Partitions it gave up are the restarted replicas rejoining.
    /// </summary>
    private void Check(Replica replica, TimeSpan until)
    {
        var (starts, from) = _stayedUp[replica.Name];
        if (replica.Starts != starts)
        {
            Findings.Add($"{replica.Name} did not stay up through the registry outage (started {replica.Starts - starts} more time(s)).");
            return;
        }

        var lines = ConsoleText.Flatten(replica.CurrentOutput[from..]).Split('\n');
        var unexpected = lines.Where(l => l.Contains(LeftGroup, StringComparison.Ordinal) || Waits.Any(w => l.Contains(w, StringComparison.Ordinal))).ToList();
        foreach (var line in unexpected)
        {
            Findings.Add($"{replica.Name}, up all along, between {_began.TotalSeconds:0} s and {until.TotalSeconds:0} s: {line.Trim()}");
        }

        var gaveUp = lines.Count(l => l.Contains(GaveUp, StringComparison.Ordinal));
        topology.Note($"{replica.Name}, up since the outage began: {unexpected.Count} line(s) of leaving its group or waiting for a schema; gave up partitions {gaveUp} time(s) (the restarted replicas rejoining)");
    }

    private async Task DelayUntil(TimeSpan at)
    {
        var left = at - topology.Clock.Elapsed;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }
    }
}
