using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Streaming.Contracts;
using Streaming.Operator.Metrics;

namespace Streaming.Deploy.Tests;

/// <summary>
/// The chart's alerts, Grafana dashboard and NetworkPolicies, rendered (<see cref="HelmRender"/>, not
/// Helm) and checked as objects; and that every metric they query is one the services export, under the
/// name OpenTelemetry's Prometheus exporter gives it.
/// </summary>
public sealed partial class ChartMonitoringTests
{
    private static readonly string[] Alerts =
    [
        "PipelineOldestPendingEvent", "PipelineDeadLetters", "PipelineShopPaused", "PipelineDeliverySuccessRatioLow",
        "PipelineConsumerLag", "PipelineScrapeTargetDown",
    ];

    /// <summary>
    /// Metrics the alerts and the dashboard query that no service exports yet, each under the name it is
    /// to get. Remove a name once its metric exists (the test then checks it against the exporter).
    /// </summary>
    private static readonly string[] NotYetExported = [];

    private static readonly string[] HistogramSeries = ["_bucket", "_count", "_sum"];

    /// <summary>Prometheus' own series about each scrape.</summary>
    private static readonly string[] PrometheusSeries = ["up"];

    private static readonly string DashboardFile = Repository.File("deploy", "grafana", "shopify-pinterest.json");

    private static Rendering AllFeatures => ChartObjectTests.Ci(ChartObjectTests.AllFeatures);

    [Fact]
    public void The_PrometheusRule_alerts_on_each_way_the_pipeline_falls_behind_and_each_alert_has_a_runbook()
    {
        var rules = Rules(AllFeatures).ToList();
        var readme = File.ReadAllText(Path.Combine(Repository.Chart, "README.md"));

        Assert.Equal(Alerts, rules.Select(r => r["alert"]!.GetValue<string>()));
        foreach (var rule in rules)
        {
            var alert = rule["alert"]!.GetValue<string>();
            Assert.Contains($"\n### {alert}\n", readme, StringComparison.Ordinal);
            Assert.EndsWith($"README.md#{alert.ToLowerInvariant()}", rule["annotations"]!["runbook_url"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains($"namespace=\"{HelmRender.Namespace}\"", rule["expr"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Without_its_switch_there_is_no_PrometheusRule_dashboard_or_NetworkPolicy()
    {
        var rendering = ChartObjectTests.Ci(ChartObjectTests.KindValues);

        Assert.Empty(rendering.OfKind("PrometheusRule"));
        Assert.Empty(rendering.OfKind("NetworkPolicy"));
        Assert.DoesNotContain(rendering.OfKind("ConfigMap"), c => c["metadata"]!["labels"]!["grafana_dashboard"] is not null);
    }

    [Fact]
    public void The_dashboard_ships_in_the_chart_as_deploy_grafana_has_it_with_a_panel_for_each_figure()
    {
        var configMap = Assert.Single(AllFeatures.OfKind("ConfigMap"), c => c["metadata"]!["labels"]!["grafana_dashboard"] is not null);
        var shipped = configMap["data"]!["shopify-pinterest.json"]!.GetValue<string>();
        var dashboard = JsonNode.Parse(File.ReadAllText(DashboardFile))!;

        Assert.Equal("1", configMap["metadata"]!["labels"]!["grafana_dashboard"]!.GetValue<string>());
        Assert.Equal(File.ReadAllText(DashboardFile).TrimEnd(), shipped.TrimEnd());
        Assert.Equal(File.ReadAllText(DashboardFile), File.ReadAllText(Path.Combine(Repository.Chart, "dashboards", "shopify-pinterest.json")));
        var titles = dashboard["panels"]!.AsArray().Select(p => p!["title"]!.GetValue<string>()).ToList();
        Assert.Equal(
            ["Events by outcome per shop", "Dead letters by reason", "Delivery latency", "Ingest requests by status", "Consumer lag", "Shops paused and oldest pending event"],
            titles);
        Assert.All(dashboard["panels"]!.AsArray(), p => Assert.NotEmpty(p!["targets"]!.AsArray()));
    }

    [Fact]
    public async Task Every_metric_the_alerts_and_the_dashboard_query_is_one_the_services_export()
    {
        var exported = await ExportedMetricNamesAsync();
        var queries = Rules(AllFeatures).Select(r => r["expr"]!.GetValue<string>())
            .Concat(JsonNode.Parse(File.ReadAllText(DashboardFile))!["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray().Select(t => t!["expr"]!.GetValue<string>())));

        var queried = queries.SelectMany(q => MetricSelector().Matches(q).Select(m => m.Groups[1].Value)).Distinct().ToList();

        Assert.Contains("pipeline_dispatcher_events_total", queried);
        Assert.All(queried, name => Assert.True(
            exported.Contains(name) || NotYetExported.Contains(name) || PrometheusSeries.Contains(name),
            $"{name} is queried but no service exports it. Exported: {string.Join(", ", exported.Order(StringComparer.Ordinal))}"));
        Assert.All(NotYetExported, name => Assert.DoesNotContain(name, exported));
    }

    [Fact]
    public void The_NetworkPolicies_open_only_Ingests_port_and_let_the_pods_reach_DNS_Kafka_the_registry_and_HTTPS_only()
    {
        var rendering = ChartObjectTests.Ci(ChartObjectTests.KindValues, "--set", "networkPolicy.enabled=true");
        var policies = rendering.OfKind("NetworkPolicy").ToList();
        var release = Assert.Single(policies, p => p["spec"]!["podSelector"]!["matchLabels"]!["app.kubernetes.io/component"] is null);
        var ingest = Assert.Single(policies, p => p["spec"]!["podSelector"]!["matchLabels"]!["app.kubernetes.io/component"]?.GetValue<string>() == "ingest");

        Assert.Equal(2, policies.Count);
        Assert.Empty(release["spec"]!["ingress"]!.AsArray());
        var open = Assert.Single(ingest["spec"]!["ingress"]!.AsArray())!;
        Assert.Equal("http", Assert.Single(open["ports"]!.AsArray())!["port"]!.GetValue<string>());
        Assert.Equal(["Ingress"], ingest["spec"]!["policyTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
        var egressPorts = release["spec"]!["egress"]!.AsArray().SelectMany(e => e!["ports"]!.AsArray().Select(p => p!["port"]!.GetValue<long>())).Distinct().Order();
        Assert.Equal([53L, 443L, 8081L, 9092L], egressPorts);
    }

    [Fact]
    public void A_NetworkPolicy_with_ServiceMonitors_but_no_scraper_named_refuses_to_render()
    {
        var (exitCode, _, error) = HelmRender.Run("-f", HelmRender.CiFile(ChartObjectTests.KindValues), "--set", "networkPolicy.enabled=true", "--set", "metrics.serviceMonitor.enabled=true");

        Assert.Equal(1, exitCode);
        Assert.Contains("networkPolicy.metricsFrom", error, StringComparison.Ordinal);
    }

    private static IEnumerable<JsonNode> Rules(Rendering rendering) =>
        Assert.Single(rendering.OfKind("PrometheusRule"))["spec"]!["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray())!;

    /// <summary>
    /// The names the services' metrics have at /metrics: a real scrape of Ingest with every pipeline
    /// counter recorded once (and an HTTP request, for ASP.NET Core's and HttpClient's), plus the gauges
    /// the other services observe, named by the exporter's rule, which the scrape checks first.
    /// </summary>
    private static async Task<HashSet<string>> ExportedMetricNamesAsync()
    {
        await using var app = await ProductionGuardTests.StartAsync(Environments.Development, new() { ["Telemetry:PrometheusMetrics"] = "true" });
        using var http = new HttpClient { BaseAddress = TestHost.ListeningAddress(app) };
        await http.GetAsync("/healthz");
        var telemetry = app.Services.GetRequiredService<PipelineTelemetry>();
        var counters = typeof(PipelineTelemetry).GetProperties().Select(p => p.GetValue(telemetry)).OfType<Counter<long>>().ToList();
        counters.ForEach(c => c.Add(1));

        var scrape = await http.GetStringAsync("/metrics");

        var exported = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match type in TypeLine().Matches(scrape))
        {
            var (name, kind) = (type.Groups[1].Value, type.Groups[2].Value);
            exported.UnionWith(kind == "histogram" ? [$"{name}_bucket", $"{name}_count", $"{name}_sum"] : [name]);
        }

        // The rule reproduces what the exporter named, before it names what this scrape cannot see.
        Assert.All(counters, c => Assert.Contains(PrometheusName(c.Name, c.Unit, counter: true), exported));
        Assert.Contains(PrometheusName("http.server.request.duration", "s", counter: false) + "_count", exported);
        Assert.Contains(PrometheusName("aspnetcore.memory_pool.pooled", "By", counter: false), exported);
        exported.UnionWith(ObservedGauges().Select(g => PrometheusName(g.Name, g.Unit, counter: false)));
        exported.UnionWith(OperatorInstruments());
        return exported;
    }

    /// <summary>The operator's counters and histogram (OperatorMetrics), read from its source: only records it reads after its start give them values.</summary>
    private static IEnumerable<string> OperatorInstruments() =>
        CreateCall().Matches(File.ReadAllText(Repository.File("src", "Operator", "Metrics", "OperatorMetrics.cs")))
            .SelectMany(m =>
            {
                var name = (string)typeof(OperatorMetrics).GetField(m.Groups["constant"].Value)!.GetRawConstantValue()!;
                return m.Groups["kind"].Value == "Histogram"
                    ? HistogramSeries.Select(suffix => PrometheusName(name, m.Groups["unit"].Value, counter: false) + suffix)
                    : [PrometheusName(name, m.Groups["unit"].Value, counter: true)];
            });

    /// <summary>Gauges the services observe (PipelineTelemetry.Observe), read from their source.</summary>
    private static IEnumerable<(string Name, string Unit)> ObservedGauges() =>
        Directory.GetFiles(Repository.File("src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => ObserveCall().Matches(File.ReadAllText(f)))
            .Select(m => (
                m.Groups["name"].Success ? m.Groups["name"].Value : (string)typeof(OperatorMetrics).GetField(m.Groups["constant"].Value)!.GetRawConstantValue()!,
                m.Groups["unit"].Value));

    /// <summary>OpenTelemetry's Prometheus exporter's names: dots to underscores, the unit appended (none for an annotation such as {event}), counters _total.</summary>
    private static string PrometheusName(string name, string? unit, bool counter)
    {
        var result = InvalidCharacter().Replace(name, "_");
        var suffix = unit switch
        {
            null or "" => "",
            _ when unit.StartsWith('{') => "",
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            "1" when !counter => "ratio",
            "1" => "",
            _ => unit,
        };
        if (suffix.Length > 0 && !result.EndsWith($"_{suffix}", StringComparison.Ordinal))
        {
            result = $"{result}_{suffix}";
        }

        return counter ? $"{result}_total" : result;
    }

    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")]
    private static partial Regex MetricSelector();

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"\.Observe\(\s*(?:""(?<name>[^""]+)""|(?<constant>[A-Z][A-Za-z]+))\s*,\s*""(?<unit>[^""]*)""")]
    private static partial Regex ObserveCall();

    [GeneratedRegex(@"\.Create(?<kind>Counter|Histogram)(?:<\w+>)?\(\s*(?<constant>[A-Z][A-Za-z]+)\s*,\s*""(?<unit>[^""]*)""")]
    private static partial Regex CreateCall();

    [GeneratedRegex(@"[^a-zA-Z0-9_:]")]
    private static partial Regex InvalidCharacter();
}
