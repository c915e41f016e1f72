using System.Text.Json;

namespace Streaming.Deploy.Tests;

/// <summary>
/// The chart's objects as <see cref="HelmRender"/> renders them (NOT Helm: the repository's own renderer
/// on Helm's template engine, see there), parsed and checked as objects: the fields each kind needs,
/// references between objects, where secrets go, and that a changed setting restarts the pods.
/// </summary>
public sealed partial class ChartObjectTests
{
    public const string KindValues = "kind-values.yaml";
    public const string AllFeatures = "all-features-values.yaml";
    public const string AllSecrets = "all-secrets-values.yaml";

    public static Rendering Ci(string file, params string[] more) => HelmRender.Render(["-f", HelmRender.CiFile(file), .. more]);

    [Theory]
    [MemberData(nameof(HelmRender.CiValuesFiles), MemberType = typeof(HelmRender))]
    public void Every_object_has_the_fields_its_kind_requires_and_names_only_objects_that_exist(string file)
    {
        var rendering = Ci(file);

        var problems = rendering.Objects.SelectMany(o => ObjectChecks.Problems(rendering, o).Select(p => $"{Rendering.Describe(o)}: {p}")).ToList();

        Assert.NotEmpty(rendering.Workloads);
        Assert.True(problems.Count == 0, $"{file}:\n{string.Join("\n", problems)}");
    }

    [Theory]
    [MemberData(nameof(HelmRender.CiValuesFiles), MemberType = typeof(HelmRender))]
    public void No_number_is_written_in_exponent_form(string file)
    {
        var rendering = Ci(file);

        var exponents = ExponentForm().Matches(rendering.Text).Select(m => m.Value.Trim()).ToList();

        Assert.True(exponents.Count == 0, $"{file}: {string.Join(", ", exponents)}");
    }

    [Fact]
    public void A_lag_threshold_of_a_million_from_a_values_file_is_written_as_an_integer()
    {
        var enricher = Ci(AllFeatures).Named("ScaledObject", Component("enricher"))!;

        Assert.Equal("1000000", enricher["spec"]!["triggers"]![0]!["metadata"]!["lagThreshold"]!.GetValue<string>());
    }

    [Fact]
    public void With_the_optional_objects_on_the_chart_creates_every_kind_at_its_current_API_version()
    {
        var rendering = Ci(AllFeatures);

        Assert.Equal(ObjectChecks.CurrentApiVersions.Keys.Order(), rendering.Objects.Select(Rendering.Kind).Distinct().Order());
    }

    [Theory]
    [InlineData("custom.password")]
    [InlineData("my.Secret.value")]
    [InlineData("refresh.token")]
    [InlineData("client.cert.pem")]
    [InlineData("ApiKey")]
    public void A_setting_the_chart_does_not_know_goes_to_the_Secret_when_its_name_sounds_secret(string key)
    {
        var rendering = Ci(KindValues, "--set", $"config.Kafka.Client.{key.Replace(".", "\\.", StringComparison.Ordinal)}=SENTINEL-unknown");

        var holders = rendering.Objects.Where(o => Strings(o).Any(v => v == "SENTINEL-unknown")).Select(Rendering.Kind).Distinct();

        Assert.Equal(["Secret"], holders);
    }

    public static TheoryData<string> SettingChanges => new()
    {
        "config.Logging.LogLevel.Default=Debug",
        "config.Shops[0].WebhookSecrets[0]=another-webhook-secret",
        "dispatcher.config.Dispatcher.MaxEventsPerRequest=500",
        "operator.config.Operator.Token=another-operator-token",
        "metrics.serviceMonitor.enabled=true",
        "config.Kafka.Client.ssl\\.key\\.pem=another-key",
    };

    [Theory]
    [MemberData(nameof(SettingChanges))]
    public void A_change_of_what_a_pod_reads_changes_its_pod_templates_checksum(string change)
    {
        var before = Ci(KindValues);
        var after = Ci(KindValues, "--set", change);

        var changed = 0;
        foreach (var workload in before.Workloads)
        {
            var now = after.Named(Rendering.Kind(workload), Rendering.Name(workload))!;
            if (ObjectChecks.DataReadBy(before, workload) != ObjectChecks.DataReadBy(after, now))
            {
                changed++;
                Assert.True(
                    Annotations(workload) != Annotations(now),
                    $"{change} changed what {Rendering.Describe(workload)} reads, but not its pod template: its pods keep the old settings until something else restarts them.");
            }
        }

        Assert.True(changed > 0, $"{change} changed nothing any pod reads.");
    }

    [Fact]
    public void Extra_volumes_mounts_and_envFrom_reach_the_pod()
    {
        var enricher = Ci(AllFeatures).Named("StatefulSet", Component("enricher"))!;
        var pod = enricher["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;

        Assert.Contains(pod["volumes"]!.AsArray(), v => v!["name"]!.GetValue<string>() == "kafka-ca" && v["secret"]!["secretName"]!.GetValue<string>() == "kafka-ca");
        Assert.Contains(container["volumeMounts"]!.AsArray(), m => m!["name"]!.GetValue<string>() == "kafka-ca" && m["mountPath"]!.GetValue<string>() == "/etc/kafka-ca");
        Assert.Contains("enricher-extra-settings", ObjectChecks.EnvFrom(enricher, "configMapRef"));
    }

    [Fact]
    public void Pods_are_probed_on_healthz_and_readyz_and_run_non_root_without_privilege_escalation_on_a_read_only_root()
    {
        var rendering = Ci(KindValues);
        var volume = JsonSerializer.Deserialize<string[]>(Assert.Single(Dockerfile.Parse().Arguments("VOLUME")))![0];
        var port = new Uri(Dockerfile.Parse().Environment["ASPNETCORE_URLS"].Replace("+", "localhost", StringComparison.Ordinal)).Port;

        Assert.Equal(Deployables.All.Count, rendering.Workloads.Count());
        foreach (var workload in rendering.Workloads)
        {
            var pod = workload["spec"]!["template"]!["spec"]!;
            var container = pod["containers"]![0]!;
            Assert.Equal("/healthz", container["startupProbe"]!["httpGet"]!["path"]!.GetValue<string>());
            Assert.Equal("/healthz", container["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
            Assert.Equal("/readyz", container["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
            Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
            Assert.False(container["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
            Assert.True(container["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>());
            var mounts = container["volumeMounts"]!.AsArray().Select(m => m!["mountPath"]!.GetValue<string>()).ToList();
            Assert.Contains(volume, mounts);
            Assert.Contains("/tmp", mounts);
            Assert.Equal(port, container["ports"]![0]!["containerPort"]!.GetValue<long>());
        }
    }

    [Fact]
    public void A_probe_is_a_value_and_overriding_one_of_its_keys_keeps_the_others()
    {
        var rendering = Ci(AllFeatures);

        var readiness = rendering.Workloads.ToDictionary(Rendering.Name, w => w["spec"]!["template"]!["spec"]!["containers"]![0]!["readinessProbe"]!);

        Assert.Equal(8, readiness[Component("enricher")]["timeoutSeconds"]!.GetValue<long>());
        Assert.Equal("/readyz", readiness[Component("enricher")]["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal(5, readiness[Component("dispatcher")]["timeoutSeconds"]!.GetValue<long>());
    }

    [Fact]
    public void Ingests_Ingress_routes_exactly_its_public_paths()
    {
        var ingress = Assert.Single(Ci(AllFeatures).OfKind("Ingress"));

        var paths = ingress["spec"]!["rules"]!.AsArray().SelectMany(r => r!["http"]!["paths"]!.AsArray()).ToList();

        Assert.Equal(["/webhooks/shopify", "/collect", "/pixel.js"], paths.Select(p => p!["path"]!.GetValue<string>()));
        Assert.All(paths, p => Assert.Equal("Exact", p!["pathType"]!.GetValue<string>()));
    }

    [Theory]
    [MemberData(nameof(HelmRender.CiValuesFiles), MemberType = typeof(HelmRender))]
    public void Every_environment_variable_the_chart_sets_is_a_setting_of_the_services(string file)
    {
        var rendering = Ci(file);

        var names = rendering.OfKind("ConfigMap").Concat(rendering.OfKind("Secret"))
            .Where(o => o["metadata"]!["labels"]?["grafana_dashboard"] is null)
            .SelectMany(o => (o["data"] ?? o["stringData"])!.AsObject().Select(p => p.Key))
            .Concat(rendering.Workloads.SelectMany(w => w["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Select(e => e!["name"]!.GetValue<string>())))
            .ToList();

        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.True(ConfigurationKeys.Known(ConfigurationKeys.FromEnvironmentName(n)), $"{file}: {n} is no setting of the services."));
    }

    [Fact]
    public void Without_a_cluster_the_render_fails_and_names_the_setting()
    {
        var (exitCode, _, error) = HelmRender.Run();

        Assert.Equal(1, exitCode);
        Assert.Contains("config.Kafka.BootstrapServers is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_the_schema_refuses_fail_the_render()
    {
        var (exitCode, _, error) = HelmRender.Run("-f", HelmRender.CiFile(KindValues), "--set", "dispatcher.workload=DaemonSet");

        Assert.Equal(1, exitCode);
        Assert.Contains("values don't meet the specifications of the schema", error, StringComparison.Ordinal);
    }

    [Fact]
    public void As_a_subchart_with_global_values_and_with_the_telemetry_section_set_the_chart_renders()
    {
        var rendering = Ci(KindValues, "--set", "global.imageRegistry=registry.example.com", "--set", "config.Telemetry.PrometheusMetrics=true");

        Assert.All(rendering.OfKind("ConfigMap"), c => Assert.Equal("true", c["data"]!["Telemetry__PrometheusMetrics"]!.GetValue<string>()));
    }

    public static string Component(string name) => $"{HelmRender.ReleaseName}-shopify-pinterest-{name}";

    private static string Annotations(JsonObject workload) => workload["spec"]!["template"]!["metadata"]!["annotations"]!.ToJsonString();

    /// <summary>Every string in an object, keys left out.</summary>
    public static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    [GeneratedRegex(@"[:\-]\s+""?-?[0-9]+(\.[0-9]+)?e[+-][0-9]+""?\s*$", RegexOptions.Multiline)]
    private static partial Regex ExponentForm();
}
