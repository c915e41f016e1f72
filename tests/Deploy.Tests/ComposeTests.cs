namespace Streaming.Deploy.Tests;

/// <summary>
/// docker-compose.yml, checked against Compose's own validation and read as data against the services:
/// what runs, from which image, on which ports, with which settings. It is not started here (no Docker
/// engine); the CI workflow starts it and posts the sample order.
/// </summary>
public sealed class ComposeTests
{
    private static readonly string File = Repository.File("docker-compose.yml");
    private static readonly string[] Infrastructure = ["kafka", "schema-registry"];
    private readonly JsonObject _services = Yaml.LoadFile(File)!["services"]!.AsObject();

    [ComposeFact]
    public async Task Compose_itself_accepts_the_file()
    {
        var (exitCode, output) = await Compose.ConfigAsync(File);

        Assert.True(exitCode == 0, $"compose config refused docker-compose.yml:\n{output}");
    }

    [ComposeFact]
    public async Task Compose_refuses_a_broken_file_so_that_its_verdict_on_ours_means_something()
    {
        var broken = Path.Combine(Directory.CreateTempSubdirectory("deploy-tests-compose-").FullName, "docker-compose.yml");
        await System.IO.File.WriteAllTextAsync(broken, "services:\n  ingest:\n    image: x\n    depends_on:\n      kafka:\n        condition: service_sometimes\n");

        var (exitCode, output) = await Compose.ConfigAsync(broken);

        Assert.True(exitCode != 0, $"compose config accepted a broken file:\n{output}");
    }

    [Fact]
    public void It_runs_Kafka_in_KRaft_mode_the_Schema_Registry_and_every_deployable()
    {
        Assert.Equal(
            Infrastructure.Concat(Deployables.All.Select(d => d.Name)).Order(),
            _services.Select(s => s.Key).Order());
        Assert.Matches(@"^apache/kafka:\d+\.\d+\.\d+$", Text(_services["kafka"]!["image"]));
        Assert.Matches(@"^confluentinc/cp-schema-registry:\d+\.\d+\.\d+$", Text(_services["schema-registry"]!["image"]));
        var kafka = Environment("kafka");
        Assert.Equal("broker,controller", kafka["KAFKA_PROCESS_ROLES"]);
        Assert.NotNull(_services["kafka"]!["healthcheck"]);
        Assert.NotNull(_services["schema-registry"]!["healthcheck"]);
    }

    [Theory]
    [MemberData(nameof(Deployables.Names), MemberType = typeof(Deployables))]
    public void Each_deployable_is_built_from_the_Dockerfile_and_starts_once_Kafka_and_the_registry_are_healthy(string name)
    {
        var service = _services[name]!;

        Assert.Equal(".", Text(service["build"]!["context"]));
        Assert.Null(service["build"]!["dockerfile"]);
        Assert.Equal(Deployables.Named(name).Project, Text(service["build"]!["args"]!["SERVICE"]));
        foreach (var dependency in Infrastructure)
        {
            Assert.Equal("service_healthy", Text(service["depends_on"]![dependency]!["condition"]));
        }

        Assert.True(service["read_only"]!.GetValue<bool>());
        Assert.Contains("/tmp", service["tmpfs"]!.AsArray().Select(Text));
    }

    [Theory]
    [MemberData(nameof(Deployables.Names), MemberType = typeof(Deployables))]
    public void Each_deployables_settings_are_configuration_keys_of_the_services(string name)
    {
        var environment = Environment(name);

        Assert.All(environment.Keys, key => Assert.True(ConfigurationKeys.Known(ConfigurationKeys.FromEnvironmentName(key)), $"{name}: {key} is no setting of the services."));
        Assert.Equal("kafka:19092", environment["Kafka__BootstrapServers"]);
        Assert.Equal("http://schema-registry:8081", environment["SchemaRegistry__Url"]);
    }

    [Fact]
    public void The_addresses_the_services_use_are_the_ones_Kafka_and_the_registry_advertise()
    {
        Assert.Contains("INTERNAL://kafka:19092", Environment("kafka")["KAFKA_ADVERTISED_LISTENERS"], StringComparison.Ordinal);
        Assert.Equal("PLAINTEXT://kafka:19092", Environment("schema-registry")["SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS"]);
        Assert.EndsWith(":8081", Environment("schema-registry")["SCHEMA_REGISTRY_LISTENERS"], StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_answers_on_the_quick_starts_address_so_the_READMEs_sample_request_works_unchanged()
    {
        var quickStart = new Uri(Yaml.Load(Repository.Read("src", "Pipeline", "appsettings.json"))!["Urls"]!.GetValue<string>());
        var container = new Uri(Environment("ingest")["ASPNETCORE_URLS"]!.Replace("+", "localhost", StringComparison.Ordinal));

        Assert.Contains($"{quickStart.Port}:{container.Port}", _services["ingest"]!["ports"]!.AsArray().Select(Text));
        Assert.Contains(quickStart.ToString().TrimEnd('/'), Repository.Read("scripts", "send-sample-order.cs"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Deployables.Names), MemberType = typeof(Deployables))]
    public void Every_deployable_gets_the_demo_shop_of_the_Development_profile_without_a_conversion_token(string name)
    {
        var development = Flatten(Yaml.Load(Repository.Read("src", "Pipeline", "appsettings.Development.json"))!["Shops"], "Shops");
        var environment = Environment(name);
        var shop = environment.Where(e => e.Key.StartsWith("Shops__", StringComparison.Ordinal))
            .ToDictionary(e => ConfigurationKeys.FromEnvironmentName(e.Key), e => e.Value);

        Assert.Equal(development.OrderBy(e => e.Key), shop.OrderBy(e => e.Key));
        Assert.Equal("", shop["Shops:0:Pinterest:ConversionToken"]);
    }

    [Fact]
    public void The_enricher_waits_for_a_session_as_long_as_in_the_Development_profile()
    {
        var development = Yaml.Load(Repository.Read("src", "Pipeline", "appsettings.Development.json"))!["Enricher"]!["GraceWallClockCap"]!.GetValue<string>();

        Assert.Equal(development, Environment("enricher")["Enricher__GraceWallClockCap"]);
    }

    [Theory]
    [InlineData("enricher", "Enricher__State__Directory")]
    [InlineData("dispatcher", "Dispatcher__State__Directory")]
    [InlineData("dispatcher", "Pinterest__DryRunFile")]
    public void State_stores_and_the_dry_run_file_live_on_named_volumes(string name, string setting)
    {
        var path = Dockerfile.Parse().Environment[setting];
        var declared = Yaml.LoadFile(File)!["volumes"]!.AsObject().Select(v => v.Key).ToHashSet();
        var mounts = _services[name]!["volumes"]!.AsArray().Select(Text).Select(v => v.Split(':')).ToList();

        Assert.Contains(mounts, m => declared.Contains(m[0]) && path.StartsWith(m[1] + "/", StringComparison.Ordinal));
    }

    /// <summary>A service's environment after the merge keys: the shared blocks and its own entries.</summary>
    private Dictionary<string, string?> Environment(string service) =>
        _services[service]!["environment"]!.AsObject().ToDictionary(e => e.Key, e => e.Value is null ? null : Text(e.Value));

    private static Dictionary<string, string?> Flatten(JsonNode? node, string prefix) => node switch
    {
        JsonObject map => map.SelectMany(e => Flatten(e.Value, $"{prefix}:{e.Key}")).ToDictionary(),
        JsonArray list => list.SelectMany((e, i) => Flatten(e, $"{prefix}:{i}")).ToDictionary(),
        null => new() { [prefix] = null },
        _ => new() { [prefix] = Text(node) },
    };

    private static string Text(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<bool>(out var flag) => flag ? "true" : "false",
        JsonValue value => value.ToString(),
        _ => throw new InvalidOperationException($"Not a scalar: {node?.ToJsonString()}"),
    };
}
