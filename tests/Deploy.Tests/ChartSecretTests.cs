namespace Streaming.Deploy.Tests;

/// <summary>
/// Where the chart puts secrets, checked on the objects <see cref="HelmRender"/> renders (NOT Helm): one
/// Secret per deployable with only what that deployable reads, the replay tool's Secret read by no pod,
/// and the Secrets a user manages (<c>existingSecret</c>, <c>&lt;deployable&gt;.existingSecret</c>).
/// </summary>
public sealed partial class ChartSecretTests
{
    // The sentinels of ci/all-secrets-values.yaml that belong to one reader; every other one is a Kafka
    // or registry credential, which every reader needs.
    private static readonly Dictionary<string, string> OwnSecrets = new(StringComparer.Ordinal)
    {
        ["SENTINEL-webhook-secret"] = "ingest",
        ["SENTINEL-conversion-token"] = "dispatcher",
        ["SENTINEL-operator-token"] = "operator",
        ["SENTINEL-admin-api-token"] = "replay",
    };

    private static List<string> Sentinels =>
        [.. Sentinel().Matches(File.ReadAllText(HelmRender.CiFile(ChartObjectTests.AllSecrets))).Select(m => m.Value).Distinct()];

    [Fact]
    public void Every_secret_lands_in_a_Secret_and_in_no_other_object()
    {
        var rendering = ChartObjectTests.Ci(ChartObjectTests.AllSecrets);
        var inSecrets = rendering.OfKind("Secret").SelectMany(ChartObjectTests.Strings).ToList();

        Assert.True(Sentinels.Count >= 17, $"Only {Sentinels.Count} sentinels in {ChartObjectTests.AllSecrets}.");
        Assert.All(Sentinels, s => Assert.True(inSecrets.Any(v => v.Contains(s, StringComparison.Ordinal)), $"{s} is in no Secret: the chart drops it."));
        var leaked = rendering.Objects.Where(o => Rendering.Kind(o) != "Secret")
            .SelectMany(o => ChartObjectTests.Strings(o).Where(v => v.Contains("SENTINEL", StringComparison.Ordinal)).Select(v => $"{Rendering.Describe(o)}: {v}"))
            .ToList();
        Assert.True(leaked.Count == 0, $"Secrets outside the Secrets:\n{string.Join("\n", leaked)}");
    }

    [Fact]
    public void Each_workload_reads_its_own_Secret_and_in_it_only_the_secrets_of_its_deployable()
    {
        var rendering = ChartObjectTests.Ci(ChartObjectTests.AllSecrets);
        var shared = Sentinels.Where(s => OwnerOf(s) is null).ToList();

        Assert.Equal(4, rendering.Workloads.Count());
        foreach (var workload in rendering.Workloads)
        {
            var name = Deployable(workload);
            Assert.Equal([SecretOf(name)], ObjectChecks.EnvFrom(workload, "secretRef"));
            var read = Sentinels.Where(s => ObjectChecks.DataReadBy(rendering, workload).Contains(s, StringComparison.Ordinal)).Order().ToList();
            Assert.Equal([.. shared.Concat(Sentinels.Where(s => OwnerOf(s) == name)).Order()], read);
        }
    }

    [Fact]
    public void The_replay_tools_Admin_API_tokens_are_in_its_own_Secret_which_no_pod_reads()
    {
        var rendering = ChartObjectTests.Ci(ChartObjectTests.AllSecrets);
        var replay = rendering.Named("Secret", SecretOf("replay"))!;

        Assert.Equal("SENTINEL-admin-api-token-1", replay["stringData"]!["Shops__0__AdminApiToken"]!.GetValue<string>());
        Assert.DoesNotContain(ChartObjectTests.Strings(replay), v => v.Contains("SENTINEL-webhook-secret", StringComparison.Ordinal) || v.Contains("SENTINEL-conversion-token", StringComparison.Ordinal));
        Assert.All(rendering.Workloads, w => Assert.DoesNotContain(SecretOf("replay"), ObjectChecks.EnvFrom(w, "secretRef")));
    }

    [Fact]
    public void The_operator_token_reaches_the_operators_pods_and_no_other()
    {
        var rendering = ChartObjectTests.Ci(ChartObjectTests.AllFeatures);
        var holders = rendering.OfKind("Secret").Where(s => s["stringData"]?["Operator__Token"] is not null).ToList();

        var secret = Assert.Single(holders);
        Assert.Equal(SecretOf("operator"), Rendering.Name(secret));
        Assert.Equal("not-a-real-operator-token", secret["stringData"]!["Operator__Token"]!.GetValue<string>());
        Assert.Contains(Rendering.Name(secret), ObjectChecks.EnvFrom(rendering.Named("Deployment", ChartObjectTests.Component("operator"))!, "secretRef"));
    }

    [Fact]
    public void A_deployables_own_existing_Secret_is_read_by_its_pods_only_beside_the_charts()
    {
        var rendering = ChartObjectTests.Ci(ChartObjectTests.KindValues, "--set", "dispatcher.existingSecret=pinterest-tokens");

        foreach (var workload in rendering.Workloads)
        {
            var name = Deployable(workload);
            string[] expected = name == "dispatcher" ? [SecretOf(name), "pinterest-tokens"] : [SecretOf(name)];
            Assert.Equal(expected, ObjectChecks.EnvFrom(workload, "secretRef"));
        }
    }

    [Fact]
    public void With_one_existing_Secret_the_chart_writes_none_and_every_pod_reads_that_one()
    {
        var values = Path.Combine(Path.GetTempPath(), $"existing-secret-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(values, """
            existingSecret: shop-credentials
            config:
              Shops:
                - Domain: demo-shop.myshopify.com
                  Pinterest:
                    AdAccountId: "549755813888"
            """);
        try
        {
            var rendering = ChartObjectTests.Ci(ChartObjectTests.KindValues, "-f", values);

            Assert.Empty(rendering.OfKind("Secret"));
            Assert.All(rendering.Workloads, w => Assert.Equal(["shop-credentials"], ObjectChecks.EnvFrom(w, "secretRef")));
        }
        finally
        {
            File.Delete(values);
        }
    }

    [Fact]
    public void An_existing_Secret_and_secrets_in_the_values_at_once_fail_the_render_naming_them()
    {
        var (exitCode, _, error) = HelmRender.Run("-f", HelmRender.CiFile(ChartObjectTests.KindValues), "--set", "existingSecret=shop-credentials");

        Assert.Equal(1, exitCode);
        Assert.Contains("existingSecret is set", error, StringComparison.Ordinal);
        Assert.Contains("Shops__0__WebhookSecrets__0", error, StringComparison.Ordinal);
    }

    private static string SecretOf(string reader) => $"{ChartObjectTests.Component(reader)}-secrets";

    private static string Deployable(JsonObject workload) => workload["metadata"]!["labels"]!["app.kubernetes.io/component"]!.GetValue<string>();

    private static string? OwnerOf(string sentinel) => OwnSecrets.FirstOrDefault(o => sentinel.StartsWith(o.Key, StringComparison.Ordinal)).Value;

    [GeneratedRegex(@"SENTINEL-[A-Za-z0-9-]+")]
    private static partial Regex Sentinel();
}
