using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Streaming.Platform.Kafka;
using Streaming.TestSupport;

namespace Streaming.Platform.Tests.Kafka;

[Collection(OnKafka.Name)]
public sealed class TopicProvisionerTests(KafkaFixture kafka)
{
    [Fact]
    public async Task Missing_topics_are_created_or_a_broker_that_cannot_says_so_in_one_line()
    {
        var options = new KafkaOptions
        {
            BootstrapServers = kafka.BootstrapServers,
            ProvisioningTimeout = TimeSpan.FromSeconds(10),
            Topics = new TopicsOptions
            {
                ShopifyWebhooks = new() { Name = KafkaFixture.UniqueTopic("prov-webhooks"), Partitions = 4 },
                PinterestEvents = new() { Name = KafkaFixture.UniqueTopic("prov-events"), Partitions = 2 },
                DeadLetters = new() { Name = KafkaFixture.UniqueTopic("prov-sessions"), Partitions = 1, Compacted = true },
            },
        };
        var warnings = await ProvisionAsync(options);

        if (kafka.Embedded is not null)
        {
            // librdkafka's mock cluster has no topic admin API.
            var line = Assert.Single(warnings);
            Assert.Contains("Topics not provisioned", line.Message, StringComparison.Ordinal);
            Assert.Contains(options.Topics.ShopifyWebhooks.Name, line.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(warnings);
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();
            var topics = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.ToDictionary(t => t.Topic);
            Assert.Equal(4, topics[options.Topics.ShopifyWebhooks.Name].Partitions.Count);
            Assert.Equal(2, topics[options.Topics.PinterestEvents.Name].Partitions.Count);
            var config = await admin.DescribeConfigsAsync([new Confluent.Kafka.Admin.ConfigResource { Name = options.Topics.DeadLetters.Name, Type = Confluent.Kafka.Admin.ResourceType.Topic }]);
            Assert.Equal("compact", config[0].Entries["cleanup.policy"].Value);
        }
    }

    [Fact]
    public async Task An_unreachable_cluster_does_not_stop_start_up()
    {
        var options = new KafkaOptions { BootstrapServers = "127.0.0.1:1", ProvisioningTimeout = TimeSpan.FromSeconds(1) };
        var line = Assert.Single(await ProvisionAsync(options));

        Assert.Contains("127.0.0.1:1", line.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs the provisioner as a host would start it; returns the warnings it wrote.</summary>
    private static async Task<List<LogLine>> ProvisionAsync(KafkaOptions options)
    {
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var cluster = new ConfiguredKafkaCluster(options.BootstrapServers!);
        var provisioner = new TopicProvisioner(
            new KafkaClientFactory(Options.Create(options), cluster, loggers), cluster, Options.Create(options), loggers.CreateLogger<TopicProvisioner>());

        await provisioner.StartAsync(CancellationToken.None);

        return logs.Lines.Where(l => l.Level >= LogLevel.Warning && l.Category == typeof(TopicProvisioner).FullName).ToList();
    }
}
