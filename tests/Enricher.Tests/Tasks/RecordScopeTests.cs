using System.Diagnostics.Metrics;

namespace Streaming.Enricher.Tests.Tasks;

/// <summary>What the enricher tells operators about the records it handles: in which scope a line was logged, and how far behind its group is.</summary>
[Collection(OnKafka.Name)]
public sealed class RecordScopeTests(KafkaFixture kafka)
{
    private const string OtherShop = "not-configured.myshopify.com";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_line_logged_while_a_record_is_handled_carries_its_shop_topic_partition_and_offset_and_the_group_reports_its_lag()
    {
        await using var rig = new EnricherRig(kafka, await kafka.CreateTopicsAsync(partitions: 1));
        using var lags = new ConsumerLagListener(rig.GroupId);
        var host = await rig.StartAsync(EnricherRig.NewStateDirectory());
        var topic = rig.Topics.ShopifyWebhooks.Name;
        var webhook = new ShopifyWebhook
        {
            WebhookId = Guid.NewGuid().ToString(),
            Topic = "orders/create",
            ShopDomain = OtherShop,
            ReceivedAt = DateTime.UtcNow,
            Body = EnricherRig.Order("9007199254760001", "cart-scope"),
        };
        await kafka.ProduceAsync(topic, [(RecordKeys.Cart(OtherShop, "cart-scope"), await rig.Serdes.SerializeAsync(webhook, topic))]);

        var until = DateTime.UtcNow + Patience;
        while (!host.Logs.Lines.Any(DeadLettered))
        {
            Assert.True(DateTime.UtcNow < until, "The webhook of a shop not configured was not dead-lettered.");
            await Task.Delay(100);
        }

        var line = host.Logs.Lines.First(DeadLettered);
        Assert.Equal(OtherShop, line.Scope["Shop"]);
        Assert.Equal(topic, line.Scope["Topic"]);
        Assert.Equal(0, line.Scope["Partition"]);
        Assert.Equal(0L, line.Scope["Offset"]);

        // Read to the end: the lag of each input topic is known and nothing is left.
        while (!lags.Seen.Any(l => l.Topic == topic && l.Lag == 0))
        {
            Assert.True(DateTime.UtcNow < until, $"No lag of 0 for {topic} was reported: {string.Join(", ", lags.Seen)}.");
            await Task.Delay(200);
            lags.Observe();
        }
    }

    private static bool DeadLettered(LogLine line) => line.Message.StartsWith("Dead-lettered", StringComparison.Ordinal);
}
