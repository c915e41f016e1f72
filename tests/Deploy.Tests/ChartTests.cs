using System.Text.Json;
using Json.Schema;
using Streaming.Kafka;
using Streaming.Kafka.Avro;

namespace Streaming.Deploy.Tests;

/// <summary>
/// The Helm chart's values against its schema and the services' options, and the templates' text
/// against values.yaml. The rendered objects are checked in <see cref="ChartObjectTests"/>.
/// </summary>
public sealed partial class ChartTests
{
    private static readonly EvaluationOptions Details = new() { OutputFormat = OutputFormat.List };

    [Fact]
    public void Values_yaml_is_valid_against_values_schema_json()
    {
        AssertValid(Chart.Values);
    }

    [Theory]
    [InlineData("kind-values.yaml")]
    [InlineData("all-features-values.yaml")]
    public void The_CI_workflows_values_are_valid_against_the_schema_too(string file)
    {
        AssertValid(Yaml.Merge(Chart.Values, Yaml.LoadFile(Path.Combine(Repository.Chart, "ci", file))));
    }

    [Theory]
    [InlineData("enricher.config.Enricher.GracePeriode", "\"00:00:30\"")]
    [InlineData("enricher.config.Enricher.GracePeriod", "30")]
    [InlineData("config.Kafka.BootstrapServer", "\"kafka:9092\"")]
    [InlineData("ingest.config.Enricher.GroupId", "\"x\"")]
    [InlineData("config.Shops", "[{\"Domain\":\"a.myshopify.com\",\"WebhookSecrets\":[\"s\"],\"Pinterest\":{\"AdAccountId\":549755813888}}]")]
    [InlineData("dispatcher.workload", "\"DaemonSet\"")]
    public void The_schema_refuses_a_misspelled_or_mistyped_setting(string path, string json)
    {
        var values = Chart.Values;
        var parts = path.Split('.');
        var node = parts[..^1].Aggregate((JsonNode)values, (n, p) => n[p] ??= new JsonObject());
        node[parts[^1]] = JsonNode.Parse(json);

        Assert.False(Evaluate(values).IsValid, $"The schema accepted {path}: {json}.");
    }

    [Theory]
    [InlineData("global", "{\"imageRegistry\":\"registry.example.com\"}")]
    [InlineData("config.Telemetry", "{\"PrometheusMetrics\":true}")]
    [InlineData("ingest.probes", "{\"readiness\":{\"timeoutSeconds\":10}}")]
    [InlineData("dispatcher.extraVolumes", "[{\"name\":\"kafka-ca\",\"secret\":{\"secretName\":\"kafka-ca\"}}]")]
    public void The_schema_accepts_what_a_parent_chart_passes_and_every_setting_of_the_services(string path, string json)
    {
        var values = Chart.Values;
        var parts = path.Split('.');
        var node = parts[..^1].Aggregate((JsonNode)values, (n, p) => n[p] ??= new JsonObject());
        node[parts[^1]] = JsonNode.Parse(json);

        AssertValid(values);
    }

    [Fact]
    public void Every_Values_path_a_template_reads_is_in_values_yaml()
    {
        var values = Chart.Values;
        foreach (var (file, text) in Chart.TemplateFiles)
        {
            foreach (var path in ValuesPath().Matches(text).Select(m => m.Groups[1].Value).Distinct())
            {
                Assert.True(Resolves(values, path.Split('.', StringSplitOptions.RemoveEmptyEntries)), $"{file} reads .Values{path}, which values.yaml does not have.");
            }
        }
    }

    [Fact]
    public void Every_path_a_template_reads_of_a_deployables_values_is_in_each_deployables_block()
    {
        var values = Chart.Values;
        foreach (var (file, text) in Chart.TemplateFiles)
        {
            foreach (var path in DeployablePath().Matches(text).Select(m => m.Groups[1].Value).Distinct())
            {
                foreach (var deployable in Deployables.All)
                {
                    // A feature switched off may leave out the rest of its block: the templates read it only when on.
                    Assert.True(
                        Resolves(values[deployable.Name]!, path.Split('.', StringSplitOptions.RemoveEmptyEntries), offBlocksMayEnd: true),
                        $"{file} reads $v{path}, which {deployable.Name}'s block in values.yaml does not have.");
                }
            }
        }
    }

    [Fact]
    public void The_chart_deploys_exactly_the_deployables_and_names_their_projects_and_consumer_groups_as_the_services_do()
    {
        var helper = Chart.DeployablesHelper;

        Assert.Equal(Deployables.All.Select(d => d.Name).Order(), helper.Select(h => h.Key).Order());
        foreach (var deployable in Deployables.All)
        {
            var entry = helper[deployable.Name]!;
            Assert.Equal(deployable.Project, entry["project"]!.GetValue<string>());
            Assert.NotNull(Chart.Values[deployable.Name]);
            Assert.NotNull(Chart.Schema["properties"]![deployable.Name]);
            if (deployable.ConsumerGroupSetting is { } setting)
            {
                var section = setting.Split(':')[0];
                Assert.Equal(section, entry["consumerGroup"]!["section"]!.GetValue<string>());
                Assert.Equal(DefaultOf(deployable, setting), entry["consumerGroup"]!["default"]!.GetValue<string>());
            }
            else
            {
                Assert.Null(entry["consumerGroup"]);
            }
        }
    }

    [Fact]
    public void The_topic_KEDA_watches_is_the_one_the_dispatcher_reads()
    {
        var topic = Chart.DeployablesHelper["dispatcher"]!["topic"]!;

        Assert.Equal(Records.PinterestEvent.KafkaTopic.Key, topic["key"]!.GetValue<string>());
        Assert.Equal(Records.PinterestEvent.KafkaTopic.DefaultName, topic["default"]!.GetValue<string>());
    }

    [Fact]
    public void The_shared_settings_of_the_schema_are_exactly_the_options_of_Kafka_SchemaRegistry_Shops_and_Telemetry()
    {
        var schema = Keys(Chart.Schema["definitions"]!["sharedConfig"], "", Chart.Schema).Where(k => !k.StartsWith("Logging:", StringComparison.Ordinal));
        var options = new[] { KafkaOptions.Section, SchemaRegistryOptions.Section, ServiceDefaults.Shops.ShopList<ServiceDefaults.Shops.Shop>.Section, ServiceDefaults.TelemetryOptions.Section }
            .SelectMany(s => ConfigurationKeys.Sections[s]);

        Assert.Equal(options.Order(StringComparer.Ordinal), schema.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Deployables.Names), MemberType = typeof(Deployables))]
    public void Each_deployables_own_settings_in_the_schema_are_exactly_the_options_of_its_sections(string name)
    {
        var deployable = Deployables.Named(name);
        var config = Chart.Schema["definitions"]![$"{name}Config"];
        Assert.True(config is not null, $"values.schema.json has no definitions.{name}Config.");
        var sections = ConfigurationKeys.SectionsOf(deployable.Assembly);

        Assert.Equal(sections.Order(StringComparer.Ordinal), config["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(
            sections.SelectMany(s => ConfigurationKeys.Sections[s]).Order(StringComparer.Ordinal),
            Keys(config, "", Chart.Schema).Order(StringComparer.Ordinal));
        Assert.Equal(sections.Order(StringComparer.Ordinal), Chart.Values[name]!["config"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Ingests_Ingress_routes_only_its_public_paths()
    {
        var paths = Chart.Values["ingest"]!["ingress"]!["hosts"]!.AsArray().SelectMany(h => h!["paths"]!.AsArray().Select(p => p!.GetValue<string>())).ToList();
        var routes = Repository.Read("src", "Ingest", "IngestApi.cs");

        Assert.Equal(["/webhooks/shopify", "/collect", "/pixel.js"], paths);
        Assert.All(paths, p => Assert.Contains($"\"{p}\"", routes, StringComparison.Ordinal));
    }

    private static void AssertValid(JsonNode? values)
    {
        var results = Evaluate(values);
        Assert.True(results.IsValid, string.Join("\n", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
    }

    private static EvaluationResults Evaluate(JsonNode? values)
    {
        using var document = JsonDocument.Parse(values!.ToJsonString());
        return JsonSchema.FromText(Chart.SchemaText).Evaluate(document.RootElement, Details);
    }

    private static bool Resolves(JsonNode node, string[] path, bool offBlocksMayEnd = false)
    {
        foreach (var part in path)
        {
            if (node is not JsonObject map)
            {
                return false;
            }

            if (!map.TryGetPropertyValue(part, out var child) || child is null)
            {
                return offBlocksMayEnd && map["enabled"] is JsonValue enabled && !enabled.GetValue<bool>();
            }

            node = child;
        }

        return true;
    }

    /// <summary>The configuration keys a schema allows, as <see cref="ConfigurationKeys"/> writes them.</summary>
    private static IEnumerable<string> Keys(JsonNode? schema, string prefix, JsonObject root)
    {
        if (schema?["$ref"] is { } reference)
        {
            schema = reference.GetValue<string>().TrimStart('#', '/').Split('/').Aggregate((JsonNode)root, (n, p) => n[p]!);
        }

        if (schema?["properties"] is JsonObject properties)
        {
            return properties.SelectMany(p => Keys(p.Value, prefix.Length == 0 ? p.Key : $"{prefix}:{p.Key}", root));
        }

        if (schema?["items"] is { } items)
        {
            return items["properties"] is null ? [$"{prefix}:<n>"] : Keys(items, $"{prefix}:<n>", root);
        }

        return schema?["additionalProperties"] is JsonObject ? [$"{prefix}:*"] : [prefix];
    }

    private static string DefaultOf(Deployable deployable, string setting)
    {
        var section = setting.Split(':')[0];
        var type = deployable.Assembly.GetTypes().Single(t => t.GetField("Section")?.GetRawConstantValue() as string == section);
        return (string)type.GetProperty(setting.Split(':')[1])!.GetValue(Activator.CreateInstance(type))!;
    }

    [GeneratedRegex(@"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex ValuesPath();

    [GeneratedRegex(@"\$v((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex DeployablePath();
}
