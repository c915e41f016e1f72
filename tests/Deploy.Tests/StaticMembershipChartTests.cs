namespace Streaming.Deploy.Tests;

/// <summary>The chart names each StatefulSet pod's consumer group member after the pod, and no Deployment's.</summary>
public sealed class StaticMembershipChartTests
{
    [Fact]
    public void Each_stateful_consumer_joins_its_group_as_its_pod_and_the_deployments_join_as_nobody_in_particular()
    {
        var rendering = ChartObjectTests.Ci(ChartObjectTests.KindValues);

        foreach (var name in new[] { "enricher", "dispatcher" })
        {
            var instance = Assert.Single(Env(rendering.Named("StatefulSet", ChartObjectTests.Component(name))!), e => e["name"]!.GetValue<string>() == "Kafka__GroupInstanceId");
            Assert.Equal("metadata.name", instance["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>());
        }

        Assert.All(rendering.OfKind("Deployment"), d => Assert.DoesNotContain(Env(d), e => e["name"]!.GetValue<string>() == "Kafka__GroupInstanceId"));
        Assert.Equal("00:00:45", ConfigMapValue(rendering, "enricher", "Kafka__SessionTimeout"));
    }

    [Fact]
    public void Turned_off_the_pods_of_a_statefulset_join_as_dynamic_members()
    {
        var rendering = ChartObjectTests.Ci(ChartObjectTests.KindValues, "--set", "enricher.staticMembership=false");

        Assert.DoesNotContain(Env(rendering.Named("StatefulSet", ChartObjectTests.Component("enricher"))!), e => e["name"]!.GetValue<string>() == "Kafka__GroupInstanceId");
    }

    private static IEnumerable<JsonNode> Env(JsonObject workload) =>
        workload["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Select(e => e!);

    private static string? ConfigMapValue(Rendering rendering, string name, string key) =>
        rendering.Named("ConfigMap", ChartObjectTests.Component(name))?["data"]?[key]?.GetValue<string>();
}
