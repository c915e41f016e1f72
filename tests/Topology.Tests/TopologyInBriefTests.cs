using Xunit.Abstractions;

namespace Streaming.Topology.Tests;

/// <summary>
/// The whole topology in the default run, in about a minute: Ingest, two Enrichers, two Dispatchers and
/// the operator view as processes of their own against the three-broker cluster, while shoppers order,
/// through a rolling restart of every replica and then moved leaders, refused produce requests and the
/// schema registry unreachable. The deployables run from the build output (publishing them would take
/// most of a minute more) as static group members, as the chart deploys them. It reports how much of the
/// enrichers' state the rolling restart restored. The long schedule (<see cref="TopologyUnderFaultsTests"/>)
/// runs with <c>TOPOLOGY_TESTS=1</c>.
/// </summary>
/// <remarks><c>TOPOLOGY_MEMBERSHIP=dynamic</c> runs the same with dynamic members: the control of the restore figures.</remarks>
[Collection(WholeTopology.Name)]
public sealed class TopologyInBriefTests(ITestOutputHelper output)
{
    public const string MembershipVariable = "TOPOLOGY_MEMBERSHIP";

    [Fact]
    public async Task Through_a_rolling_restart_and_a_registry_outage_while_leaders_move_no_acknowledged_order_is_lost()
    {
        var staticMembership = Environment.GetEnvironmentVariable(MembershipVariable) != "dynamic";
        var artifacts = TopologyUnderFaultsTests.ArtifactsFolder();
        var clock = Stopwatch.StartNew();
        await using var topology = await Topology.StartAsync(artifacts, output.WriteLine, new TopologyOptions(Published: false, StaticMembership: staticMembership));
        var answers = new PinterestAnswers(topology);
        var shoppers = new Shoppers(topology, 8);
        var schedule = new FaultSchedule(topology, answers);

        using var stopShopping = new CancellationTokenSource();
        var shopping = shoppers.RunAsync(stopShopping.Token);
        await schedule.RunBriefAsync();
        await stopShopping.CancelAsync();
        await shopping;
        await shoppers.FinishAsync();
        topology.Note("shoppers stopped; waiting for Pinterest to receive every written order");
        await TopologyUnderFaultsTests.DrainAsync(topology, shoppers);
        topology.Note("drained");

        var restored = Restores.ByEnricher(topology);
        var changelog = Restores.ChangelogLength(topology);
        var figures = Figures.Of(shoppers.Ledger.Values, topology.Pinterest, answers, schedule.Phases);
        var command = staticMembership ? "dotnet test tests/Topology.Tests --filter TopologyInBrief" : $"{MembershipVariable}=dynamic dotnet test tests/Topology.Tests --filter TopologyInBrief";
        var report = await TopologyUnderFaultsTests.ReportAsync(topology, figures, schedule.Registry, command, 1, artifacts);
        output.WriteLine(report);
        output.WriteLine(
            $"Membership: {(staticMembership ? "static (Kafka:GroupInstanceId = replica name)" : "dynamic")}. Changes the enrichers restored over the run, " +
            $"whose only restarts are the rolling restart's: {string.Join(", ", restored.Select(r => $"{r.Key} {r.Value}"))}, {restored.Values.Sum()} in all; " +
            $"the changelog holds {changelog} record(s). The run took {clock.Elapsed.TotalSeconds:0} s.");

        Assert.True(figures.Written > 0, "No order was answered 200 by Ingest.");
        Assert.True(topology.Registry.Refused.Count > 0, "No replica asked the schema registry anything while it was unreachable.");
        TopologyUnderFaultsTests.AssertNoProductDefect(topology, figures);
        // Only the embedded broker's coordinator hands a partition over before its owner gave it up (see the
        // long test and docs/benchmarks.md); a real cluster's does not. Reported always, asserted on request.
        if (Environment.GetEnvironmentVariable(TopologyUnderFaultsTests.StrictDuplicatesVariable) == "1")
        {
            Assert.True(figures.Duplicates.Count == 0, $"{figures.Duplicates.Count} event id(s) accepted more than once:\n{string.Join("\n", figures.Duplicates.Take(20))}");
        }
    }
}
