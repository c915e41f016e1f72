namespace Streaming.Topology.Tests;

/// <summary>
/// The long schedule under faults runs when <c>TOPOLOGY_TESTS=1</c> (or a soak is asked for), and says so
/// when it does not: it publishes the four deployables and runs for three minutes and more, past the
/// default run's budget. The default run has the brief schedule instead (<see cref="TopologyInBriefTests"/>).
/// </summary>
public sealed class TopologyFactAttribute : FactAttribute
{
    public const string Variable = "TOPOLOGY_TESTS";

    public TopologyFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(TopologyUnderFaultsTests.SoakVariable)))
        {
            Skip = $"The long schedule under faults runs with {Variable}=1 (it publishes the deployables, then about 3 minutes). " +
                   "The brief schedule (TopologyInBriefTests) and the cluster fault tests beside it run always.";
        }
    }
}
