using System.Globalization;
using Streaming.Development.Kafka;
using Streaming.Kafka.Topics;
using Streaming.Records;

namespace Streaming.TestSupport;

/// <summary>Every topic of the pipeline, laid out for one test: names no other test uses.</summary>
public sealed class TestTopics
{
    public TopicOptions ShopifyWebhooks { get; init; } = ShopifyWebhook.KafkaTopic.Defaults();

    public TopicOptions StorefrontEvents { get; init; } = StorefrontEvent.KafkaTopic.Defaults();

    public TopicOptions PinterestEvents { get; init; } = PinterestEvent.KafkaTopic.Defaults();

    public TopicOptions DeadLetters { get; init; } = DeadLetter.KafkaTopic.Defaults();

    public TopicOptions EnricherState { get; init; } = Records.EnricherState.KafkaTopic.Defaults();

    public TopicOptions PinterestDeliveries { get; init; } = PinterestDelivery.KafkaTopic.Defaults();

    public TopicOptions DispatcherDelivered { get; init; } = DeliveredEvent.KafkaTopic.Defaults();

    public TopicOptions EnrichmentOutcomes { get; init; } = EnrichmentOutcome.KafkaTopic.Defaults();

    public TopicOptions PrivacyReports { get; init; } = PrivacyReport.KafkaTopic.Defaults();

    public IEnumerable<TopicOptions> All => [ShopifyWebhooks, StorefrontEvents, PinterestEvents, DeadLetters, EnricherState, PinterestDeliveries, DispatcherDelivered, EnrichmentOutcomes, PrivacyReports];

    /// <summary>The default names and layout, as a service with no topic configuration would use them.</summary>
    public static TestTopics Defaults() => new();

    /// <summary>Unique names; the two cart topics share a partition count, as the provisioner requires.</summary>
    public static TestTopics Unique(int partitions) => new()
    {
        ShopifyWebhooks = new() { Name = KafkaFixture.UniqueTopic("webhooks"), Partitions = partitions },
        StorefrontEvents = new() { Name = KafkaFixture.UniqueTopic("storefront"), Partitions = partitions },
        PinterestEvents = new() { Name = KafkaFixture.UniqueTopic("pinterest"), Partitions = partitions },
        DeadLetters = new() { Name = KafkaFixture.UniqueTopic("dead-letters"), Partitions = 1 },
        EnricherState = new() { Name = KafkaFixture.UniqueTopic("enricher-state"), Partitions = partitions, Compacted = true },
        PinterestDeliveries = new() { Name = KafkaFixture.UniqueTopic("deliveries"), Partitions = 1 },
        DispatcherDelivered = new() { Name = KafkaFixture.UniqueTopic("delivered"), Partitions = partitions, RetentionMs = DeliveredEvent.DefaultRetention },
        EnrichmentOutcomes = new() { Name = KafkaFixture.UniqueTopic("outcomes"), Partitions = partitions },
        PrivacyReports = new() { Name = KafkaFixture.UniqueTopic("privacy"), Partitions = 1 },
    };

    /// <summary>
    /// A broker of the test's own, for fault injection (take it down, slow it), with every pipeline topic
    /// under its default name. Always the mock cluster: the shared fixture's broker must stay up.
    /// </summary>
    public static (EmbeddedKafkaCluster Broker, TestTopics Topics) OnOwnBroker()
    {
        var broker = new EmbeddedKafkaCluster();
        var topics = Defaults();
        foreach (var topic in topics.All)
        {
            broker.CreateTopic(topic);
        }

        return (broker, topics);
    }

    /// <summary>The <c>Kafka:Topics</c> configuration that names these topics.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        foreach (var (key, topic) in new[]
                 {
                     (ShopifyWebhook.KafkaTopic.Key, ShopifyWebhooks),
                     (StorefrontEvent.KafkaTopic.Key, StorefrontEvents),
                     (PinterestEvent.KafkaTopic.Key, PinterestEvents),
                     (DeadLetter.KafkaTopic.Key, DeadLetters),
                     (Records.EnricherState.KafkaTopic.Key, EnricherState),
                     (PinterestDelivery.KafkaTopic.Key, PinterestDeliveries),
                     (DeliveredEvent.KafkaTopic.Key, DispatcherDelivered),
                     (EnrichmentOutcome.KafkaTopic.Key, EnrichmentOutcomes),
                     (PrivacyReport.KafkaTopic.Key, PrivacyReports),
                 })
        {
            yield return new($"Kafka:Topics:{key}:Name", topic.Name);
            yield return new($"Kafka:Topics:{key}:Partitions", topic.Partitions.ToString(CultureInfo.InvariantCulture));
        }
    }
}
