using Microsoft.Extensions.Logging;
using Streaming.Kafka.Topics;

namespace Streaming.Platform.Tests.Kafka;

[Collection(OnKafka.Name)]
public sealed class TopicProvisionerTests(KafkaFixture kafka)
{
    private static readonly TopicDeclaration Webhooks = new("Webhooks", "unused", CoPartitionGroup: "cart");
    private static readonly TopicDeclaration Storefront = new("Storefront", "unused", CoPartitionGroup: "cart");
    private static readonly TopicDeclaration Sessions = new("Sessions", "unused", Compacted: true);

    [Fact]
    public async Task Missing_topics_are_created_or_a_broker_that_cannot_says_so_in_one_line()
    {
        var topics = new TopicsOptions();
        topics.Register(Webhooks, new() { Name = KafkaFixture.UniqueTopic("prov-webhooks"), Partitions = 4 });
        topics.Register(Storefront, new() { Name = KafkaFixture.UniqueTopic("prov-storefront"), Partitions = 4 });
        topics.Register(Sessions, new() { Name = KafkaFixture.UniqueTopic("prov-sessions"), Partitions = 1, Compacted = true });

        var warnings = await ProvisionAsync(Options(), topics);

        if (kafka.Embedded is not null)
        {
            // librdkafka's mock cluster has no topic admin API.
            var line = Assert.Single(warnings);
            Assert.Contains("Topics not provisioned", line.Message, StringComparison.Ordinal);
            Assert.Contains(topics[Webhooks].Name, line.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(warnings);
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();
            var created = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.ToDictionary(t => t.Topic);
            Assert.Equal(4, created[topics[Webhooks].Name].Partitions.Count);
            Assert.Equal(4, created[topics[Storefront].Name].Partitions.Count);
            var config = await admin.DescribeConfigsAsync([new Confluent.Kafka.Admin.ConfigResource { Name = topics[Sessions].Name, Type = Confluent.Kafka.Admin.ResourceType.Topic }]);
            Assert.Equal("compact", config[0].Entries["cleanup.policy"].Value);
        }
    }

    [Fact]
    public async Task Co_partitioned_topics_that_differ_on_the_cluster_stop_the_start_with_a_line_naming_both()
    {
        var webhooks = new TopicOptions { Name = KafkaFixture.UniqueTopic("copart-webhooks"), Partitions = 6 };
        var storefront = new TopicOptions { Name = KafkaFixture.UniqueTopic("copart-storefront"), Partitions = 3 };
        await kafka.CreateTopicsAsync(webhooks, storefront);
        // Configured alike, as the options validator demands: only the cluster disagrees.
        var topics = new TopicsOptions();
        topics.Register(Webhooks, new() { Name = webhooks.Name, Partitions = 6 });
        topics.Register(Storefront, new() { Name = storefront.Name, Partitions = 6 });
        var logs = new LogCapture();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ProvisionAsync(Options(), topics, logs));

        Assert.Contains($"{storefront.Name} has 3", refused.Message, StringComparison.Ordinal);
        var line = Assert.Single(logs.Lines, l => l.Level == LogLevel.Critical);
        Assert.Contains($"{webhooks.Name} has 6", line.Message, StringComparison.Ordinal);
        Assert.Contains($"{storefront.Name} has 3", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Co_partitioned_topics_with_equal_counts_start()
    {
        var webhooks = new TopicOptions { Name = KafkaFixture.UniqueTopic("copart-webhooks"), Partitions = 4 };
        var storefront = new TopicOptions { Name = KafkaFixture.UniqueTopic("copart-storefront"), Partitions = 4 };
        await kafka.CreateTopicsAsync(webhooks, storefront);
        var topics = new TopicsOptions();
        topics.Register(Webhooks, webhooks);
        topics.Register(Storefront, storefront);

        Assert.Empty(await ProvisionAsync(Options(), topics));
    }

    [Fact]
    public void Differing_configured_counts_of_co_partitioned_topics_fail_validation_naming_the_settings()
    {
        var topics = new TopicsOptions();
        topics.Register(Webhooks, new() { Name = "a", Partitions = 6 });
        topics.Register(Storefront, new() { Name = "b", Partitions = 12 });

        var result = new TopicsOptionsValidator().Validate(null, topics);

        Assert.True(result.Failed);
        Assert.Contains("Webhooks:Partitions is 6", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Storefront:Partitions is 12", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, null, null)]
    [InlineData(1, null, null)]
    [InlineData(2, null, null)]
    [InlineData(3, null, 2)]
    [InlineData(5, null, 2)]
    [InlineData(3, 3, 3)]
    [InlineData(1, 1, 1)]
    public void Three_replicas_or_more_ask_for_two_in_sync_unless_configured(short replicas, int? configured, int? expected) =>
        Assert.Equal(expected, new TopicOptions { ReplicationFactor = replicas, MinInSyncReplicas = configured }.EffectiveMinInSyncReplicas);

    [Fact]
    public async Task An_unreachable_cluster_does_not_stop_start_up()
    {
        var options = new KafkaOptions { BootstrapServers = "127.0.0.1:1", ProvisioningTimeout = TimeSpan.FromSeconds(1) };
        var line = Assert.Single(await ProvisionAsync(options, new TopicsOptions()));

        Assert.Contains("127.0.0.1:1", line.Message, StringComparison.Ordinal);
    }

    private KafkaOptions Options() => new() { BootstrapServers = kafka.BootstrapServers, ProvisioningTimeout = TimeSpan.FromSeconds(10) };

    /// <summary>Runs the provisioner as a host would start it; returns the warnings it wrote.</summary>
    private static async Task<List<LogLine>> ProvisionAsync(KafkaOptions options, TopicsOptions topics, LogCapture? logs = null)
    {
        logs ??= new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var cluster = new ConfiguredKafkaCluster(options.BootstrapServers!);
        var provisioner = new TopicProvisioner(
            new KafkaClientFactory(Microsoft.Extensions.Options.Options.Create(options), cluster, loggers),
            cluster,
            Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Options.Options.Create(topics),
            loggers.CreateLogger<TopicProvisioner>());

        await provisioner.StartAsync(CancellationToken.None);

        return logs.Lines.Where(l => l.Level >= LogLevel.Warning && l.Category == typeof(TopicProvisioner).FullName).ToList();
    }
}
