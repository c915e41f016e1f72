using System.Text.Json;
using Confluent.SchemaRegistry;
using Streaming.Ingest;
using Streaming.Replay.Shopify;

namespace Streaming.Replay.Tests;

/// <summary>
/// <c>doctor</c> against the test broker, the registry stand-in, a fake Pinterest, a fake Admin API
/// and a real Ingest, all over loopback: healthy, it passes (exit 0); then each family of checks fails
/// once, with the fix named. librdkafka's mock cluster does not serve DescribeConfigs, so there the
/// topics' cleanup policy and min.insync.replicas cannot be read: the topic lines fail saying so, and
/// the rest is asserted; on a real broker (Docker or KAFKA_BOOTSTRAP_SERVERS) everything is.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class DoctorTests(KafkaFixture kafka) : IAsyncLifetime
{
    private const string Shop = TestSettings.Shop;

    private TestTopics _topics = null!;
    private SchemaRegistryStandIn _registry = null!;
    private FakePinterest _pinterest = null!;
    private FakeWebhookAdmin _shopify = null!;
    private TestHost _ingest = null!;
    private ReplayTool _tool = null!;

    private bool OnMock => kafka.Embedded is not null;

    public async Task InitializeAsync()
    {
        _topics = await kafka.CreateTopicsAsync(partitions: 2);
        _registry = await SchemaRegistryStandIn.StartAsync();
        _pinterest = await FakePinterest.StartAsync();
        _shopify = await FakeWebhookAdmin.StartAsync();
        var settings = TestSettings.For(kafka.BootstrapServers, _topics, _pinterest.BaseUrl);
        _ingest = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
        settings["SchemaRegistry:UseInMemoryRegistry"] = "false";
        settings["SchemaRegistry:Url"] = _registry.BaseUrl.ToString();
        settings["Shops:0:AdminApiToken"] = FakeWebhookAdmin.Token;
        settings["Storefront:PublicUrl"] = _ingest.BaseUrl.ToString().TrimEnd('/');
        _tool = new ReplayTool(settings);
        foreach (var topic in ShopifyTopics.Written)
        {
            _shopify.Add(WebhookSubscription.EnumOf(topic), $"{_ingest.BaseUrl.ToString().TrimEnd('/')}/webhooks/shopify");
        }
    }

    public async Task DisposeAsync()
    {
        _tool.Dispose();
        await _ingest.DisposeAsync();
        await _shopify.DisposeAsync();
        await _pinterest.DisposeAsync();
        await _registry.DisposeAsync();
    }

    private async Task<(ReplayTool.Result Run, List<JsonElement> Checks)> DoctorAsync(params string[] args)
    {
        var run = await _tool.RunAsync(["doctor", "--json", "--timeout", "3", "--admin-url", _shopify.Endpoint, .. args]);
        Assert.True(run.ExitCode is ReplayCli.Done or ReplayCli.Failed, run.ToString());
        using var document = JsonDocument.Parse(run.Output);
        var checks = document.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.Clone()).ToList();
        Assert.Equal(run.ExitCode == ReplayCli.Done, document.RootElement.GetProperty("passed").GetBoolean());
        return (run, checks);
    }

    private static JsonElement Line(List<JsonElement> checks, string name) =>
        checks.Single(c => c.GetProperty("name").GetString() == name);

    private static string Status(List<JsonElement> checks, string name) => Line(checks, name).GetProperty("status").GetString()!;

    private static bool IsTopicLine(JsonElement check) => check.GetProperty("name").GetString()!.StartsWith("topic ", StringComparison.Ordinal);

    [Fact]
    public async Task A_healthy_pipeline_passes_every_check()
    {
        var (run, checks) = await DoctorAsync();

        Assert.Equal("passed", Status(checks, "Kafka reachable"));
        Assert.Equal("passed", Status(checks, "co-partitioned (cart)"));
        Assert.Equal("passed", Status(checks, "schema registry reachable"));
        Assert.Equal("passed", Status(checks, "Ingest's public address"));
        Assert.Equal("passed", Status(checks, "Pinterest conversion token"));
        Assert.Equal("passed", Status(checks, "webhooks subscribed"));
        Assert.Equal("passed", Status(checks, "/pixel.js"));
        Assert.Contains(checks, c => c.GetProperty("name").GetString()!.StartsWith("lag of enricher", StringComparison.Ordinal));
        Assert.Equal(8, checks.Count(IsTopicLine));
        Assert.Contains("test=true", Assert.Single(_pinterest.Requests).Query, StringComparison.Ordinal);
        if (OnMock)
        {
            // The mock cluster has no DescribeConfigs: the one thing not checked here.
            Assert.All(checks.Where(IsTopicLine), c => Assert.Contains("could not be read", c.GetProperty("detail").GetString(), StringComparison.Ordinal));
            Assert.All(checks.Where(c => !IsTopicLine(c)), c => Assert.NotEqual("failed", c.GetProperty("status").GetString()));
        }
        else
        {
            Assert.True(run.ExitCode == ReplayCli.Done, run.ToString());
        }
    }

    [Fact]
    public async Task Each_shop_and_service_check_fails_once_with_its_fix()
    {
        _pinterest.Respond = (_, _) => new FakeAnswer(401, """{"code":2,"message":"Authentication failed."}""");
        _shopify.Subscriptions.Clear();
        _shopify.Add("ORDERS_CREATE", "https://elsewhere.example.com/hooks");
        _registry.IncompatibleSubjects[$"{_topics.PinterestEvents.Name}-value"] = true;
        var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _registry.BaseUrl.ToString() });
        await registry.RegisterSchemaAsync($"{_topics.PinterestEvents.Name}-value", new Schema(PinterestEvent.AvroSchema.ToString(), SchemaType.Avro));
        await registry.RegisterSchemaAsync($"{_topics.ShopifyWebhooks.Name}-value", new Schema(ShopifyWebhook.AvroSchema.ToString(), SchemaType.Avro));
        await kafka.ProduceAsync(_topics.PinterestEvents.Name, [("k", [1, 2, 3])]);
        _tool.Settings["Shops:1:Domain"] = "unknown-to-ingest.myshopify.com";
        _tool.Settings["Shops:1:Pinterest:AdAccountId"] = "12345";

        var (run, checks) = await DoctorAsync();

        Assert.Equal(ReplayCli.Failed, run.ExitCode);
        Assert.Equal("failed", Status(checks, $"schema {_topics.PinterestEvents.Name}-value"));
        Assert.Equal("passed", Status(checks, $"schema {_topics.ShopifyWebhooks.Name}-value"));
        var lag = checks.Single(c => c.GetProperty("name").GetString()!.StartsWith("lag of dispatcher", StringComparison.Ordinal));
        Assert.Equal("failed", lag.GetProperty("status").GetString());
        Assert.Contains("no offsets committed, 1 record(s) waiting", lag.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var shop = checks.Where(c => c.GetProperty("scope").GetString() == Shop).ToList();
        Assert.Contains("ConversionToken", Line(shop, "Pinterest conversion token").GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", Status(shop, "Pinterest conversion token"));
        Assert.Equal("failed", Status(shop, "webhooks subscribed"));
        Assert.Contains("setup --shop", Line(shop, "webhooks subscribed").GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Equal("passed", Status(shop, "/pixel.js"));

        var unknown = checks.Where(c => c.GetProperty("scope").GetString() == "unknown-to-ingest.myshopify.com").ToList();
        Assert.Equal("failed", Status(unknown, "/pixel.js"));
        Assert.Equal("failed", Status(unknown, "Pinterest conversion token"));
        Assert.Equal("skipped", Status(unknown, "webhooks subscribed"));
    }

    [Fact]
    public async Task A_missing_topic_a_partition_count_off_its_configuration_and_unequal_co_partitioned_topics_fail()
    {
        var storefront = KafkaFixture.UniqueTopic("storefront");
        await kafka.CreateTopicsAsync(new TopicOptions { Name = storefront, Partitions = 3 });
        _tool.Settings[$"Kafka:Topics:{StorefrontEvent.KafkaTopic.Key}:Name"] = storefront;
        _tool.Settings[$"Kafka:Topics:{StorefrontEvent.KafkaTopic.Key}:Partitions"] = "2";
        _tool.Settings[$"Kafka:Topics:{DeadLetter.KafkaTopic.Key}:Name"] = KafkaFixture.UniqueTopic("never-created");
        _tool.Settings["Storefront:PublicUrl"] = "http://127.0.0.1:9";

        var (run, checks) = await DoctorAsync("--ingest-url", _ingest.BaseUrl.ToString());

        Assert.Equal(ReplayCli.Failed, run.ExitCode);
        Assert.Contains("missing", Line(checks, $"topic {_tool.Settings[$"Kafka:Topics:{DeadLetter.KafkaTopic.Key}:Name"]}").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("3 partitions, configured 2", Line(checks, $"topic {storefront}").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", Status(checks, "co-partitioned (cart)"));
        Assert.Equal("failed", Status(checks, "Ingest's public address"));
    }

    [Fact]
    public async Task Without_a_cluster_or_a_registry_configured_it_says_so_instead_of_starting_stand_ins()
    {
        _tool.Settings["Kafka:BootstrapServers"] = "";
        _tool.Settings["SchemaRegistry:Url"] = "";
        _tool.Settings["SchemaRegistry:UseInMemoryRegistry"] = "false";

        var (run, checks) = await DoctorAsync();

        Assert.Equal(ReplayCli.Failed, run.ExitCode);
        Assert.Contains("Kafka:BootstrapServers is empty", Line(checks, "Kafka reachable").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", Status(checks, "schema registry reachable"));
        Assert.DoesNotContain(checks, c => c.GetProperty("name").GetString()!.StartsWith("lag of", StringComparison.Ordinal));
        Assert.Equal("passed", Status(checks, "/pixel.js"));
    }

    [Fact]
    public async Task An_unreachable_cluster_and_registry_fail_and_a_text_table_names_the_fix()
    {
        _registry.Reachable = false;
        var run = await _tool.RunAsync("doctor", "--timeout", "2", "--admin-url", _shopify.Endpoint, "--bootstrap-servers", "127.0.0.1:9");

        Assert.Equal(ReplayCli.Failed, run.ExitCode);
        var lines = run.Output.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("✗ cluster", StringComparison.Ordinal) && l.Contains("Kafka reachable", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✗ cluster", StringComparison.Ordinal) && l.Contains("schema registry reachable", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("fix: Check Kafka:BootstrapServers", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ " + Shop, StringComparison.Ordinal) && l.Contains("/pixel.js", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("lag of", StringComparison.Ordinal));
    }
}
