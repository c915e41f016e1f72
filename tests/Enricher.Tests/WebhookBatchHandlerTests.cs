using Streaming.Kafka.Avro;

namespace Streaming.Enricher.Tests;

/// <summary>The enricher as a service, against the test broker.</summary>
[Collection(OnKafka.Name)]
public sealed class WebhookBatchHandlerTests(KafkaFixture kafka) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly AvroSerdes _serdes = TestRecords.Serdes();
    private TestTopics _topics = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _topics = await kafka.CreateTopicsAsync(partitions: 1);
        _host = await TestHost.StartAsync(TestSettings.For(kafka.BootstrapServers, _topics), b => b.AddEnricher());
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Records_it_cannot_use_are_dead_lettered_and_the_ones_behind_them_still_mapped()
    {
        await ProduceAsync("poison", "no avro here"u8.ToArray());
        await ProduceAsync("not-json", await Serialize(Webhook("not json", TestSettings.Shop)));
        await ProduceAsync("bad-utf8", await Serialize(Webhook([.. "{\"id\":3,\"source_name\":\"we"u8, 0xC3, 0x28, .. "b\"}"u8], TestSettings.Shop)));
        await ProduceAsync("stranger", await Serialize(Webhook(Encoding.UTF8.GetString(ShopifySamples.WebOrder()), "stranger.myshopify.com")));
        await ProduceAsync("skipped", await Serialize(Webhook("""{"id":2,"source_name":"pos","created_at":"2026-01-01T00:00:00Z"}""", TestSettings.Shop)));
        await ProduceAsync("good", await Serialize(Webhook(Encoding.UTF8.GetString(ShopifySamples.WebOrder()), TestSettings.Shop)));

        var letters = kafka.ReadAll(_topics.DeadLetters.Name, 4, Patience);
        // One more than expected, briefly: the skipped order must not show up.
        var events = kafka.ReadAll(_topics.PinterestEvents.Name, 2, TimeSpan.FromSeconds(3));

        var mapped = await _serdes.DeserializeAsync<PinterestEvent>(Assert.Single(events).Message.Value, _topics.PinterestEvents.Name);
        Assert.Equal("9007199254740993", mapped.EventId);
        Assert.Equal($"{TestSettings.Shop}/9007199254740993", Encoding.UTF8.GetString(events[0].Message.Key!));
        var reasons = new List<(string Key, string Reason)>();
        foreach (var letter in letters)
        {
            var read = await _serdes.DeserializeAsync<DeadLetter>(letter.Message.Value, letter.Topic);
            Assert.Equal("enricher", read.Service);
            reasons.Add((Encoding.UTF8.GetString(read.Key!), read.Reason));
        }

        Assert.Equal([("poison", "undeserializable"), ("not-json", "unmappable"), ("bad-utf8", "unmappable"), ("stranger", "unknown_shop")], reasons);
    }

    private Task<byte[]> Serialize(ShopifyWebhook webhook) => _serdes.SerializeAsync(webhook, _topics.ShopifyWebhooks.Name);

    private Task ProduceAsync(string key, byte[] value) => kafka.ProduceAsync(_topics.ShopifyWebhooks.Name, [(key, value)]);

    private static ShopifyWebhook Webhook(string body, string shop) => Webhook(Encoding.UTF8.GetBytes(body), shop);

    private static ShopifyWebhook Webhook(byte[] body, string shop) => new()
    {
        WebhookId = Guid.NewGuid().ToString(),
        Topic = "orders/create",
        ShopDomain = shop,
        ReceivedAt = DateTime.UtcNow,
        Body = body,
    };
}
