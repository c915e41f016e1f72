using Streaming.Kafka.Avro;

namespace Streaming.Enricher.Tests.Stitching;

/// <summary>
/// Enricher instances of one group on the test broker, with their own state directories, and a producer
/// that stamps records with chosen timestamps (the event time the grace period counts in).
/// </summary>
public sealed class EnricherRig(KafkaFixture kafka, TestTopics topics) : IAsyncDisposable
{
    private readonly IProducer<byte[], byte[]> _producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build();
    private readonly List<TestHost> _hosts = [];

    public AvroSerdes Serdes { get; } = TestRecords.Serdes();

    public TestTopics Topics { get; } = topics;

    public string GroupId { get; } = $"enricher-{Guid.NewGuid():N}";

    public static string NewStateDirectory() => Path.Combine(Path.GetTempPath(), $"enricher-state-{Guid.NewGuid():N}");

    public async Task<TestHost> StartAsync(string stateDirectory, IDictionary<string, string?>? settings = null)
    {
        var all = TestSettings.For(kafka.BootstrapServers, Topics);
        all["Enricher:GroupId"] = GroupId;
        all["Enricher:State:Directory"] = stateDirectory;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var host = await TestHost.StartAsync(all, b => b.AddEnricher());
        _hosts.Add(host);
        return host;
    }

    public async Task StopAsync(TestHost host)
    {
        _hosts.Remove(host);
        await host.DisposeAsync();
    }

    public async Task WebhookAsync(string topic, byte[] body, string cartToken, DateTimeOffset at, string? webhookId = null)
    {
        var webhook = new ShopifyWebhook
        {
            WebhookId = webhookId ?? Guid.NewGuid().ToString(),
            Topic = topic,
            ShopDomain = TestSettings.Shop,
            ReceivedAt = at.UtcDateTime,
            Body = body,
        };
        await ProduceAsync(Topics.ShopifyWebhooks.Name, cartToken, await Serdes.SerializeAsync(webhook, Topics.ShopifyWebhooks.Name), at);
    }

    public async Task StorefrontAsync(StorefrontEvent storefrontEvent, DateTimeOffset at) =>
        await ProduceAsync(
            Topics.StorefrontEvents.Name,
            storefrontEvent.CartToken ?? storefrontEvent.EventId,
            await Serdes.SerializeAsync(storefrontEvent, Topics.StorefrontEvents.Name),
            at);

    private async Task ProduceAsync(string topic, string cartToken, byte[] value, DateTimeOffset at) =>
        await _producer.ProduceAsync(topic, new Message<byte[], byte[]>
        {
            Key = Encoding.UTF8.GetBytes($"{TestSettings.Shop}/{cartToken}"),
            Value = value,
            Timestamp = new Timestamp(at.UtcDateTime),
        });

    /// <summary>Every event written so far, waiting up to <paramref name="within"/> for at least <paramref name="count"/>.</summary>
    public async Task<List<(PinterestEvent Event, byte[] Bytes)>> EventsAsync(int count, TimeSpan within)
    {
        var records = kafka.ReadAll(Topics.PinterestEvents.Name, count, within);
        var events = new List<(PinterestEvent, byte[])>();
        foreach (var record in records)
        {
            events.Add((await Serdes.DeserializeAsync<PinterestEvent>(record.Message.Value, Topics.PinterestEvents.Name), record.Message.Value));
        }

        return events;
    }

    /// <summary>A web order of the fixture with its own id and cart token.</summary>
    public static byte[] Order(string orderId, string cartToken, string? checkoutToken = null)
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!;
        order["id"] = JsonValue.Create(long.Parse(orderId, System.Globalization.CultureInfo.InvariantCulture));
        order["cart_token"] = cartToken;
        order["checkout_token"] = checkoutToken ?? $"checkout-{cartToken}";
        return Encoding.UTF8.GetBytes(order.ToJsonString());
    }

    /// <summary>The fixture's cart with one line of <paramref name="variantId"/> at <paramref name="quantity"/>.</summary>
    public static byte[] Cart(string cartToken, string variantId, long quantity, string updatedAt)
    {
        var cart = JsonNode.Parse(ShopifySamples.Fixture("carts-update.json"))!;
        cart["id"] = cartToken;
        cart["token"] = cartToken;
        cart["updated_at"] = updatedAt;
        var line = cart["line_items"]![0]!.DeepClone();
        line["variant_id"] = JsonValue.Create(long.Parse(variantId, System.Globalization.CultureInfo.InvariantCulture));
        line["quantity"] = quantity;
        cart["line_items"] = new JsonArray(line);
        return Encoding.UTF8.GetBytes(cart.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.ToList())
        {
            await host.DisposeAsync();
        }

        _producer.Dispose();
    }
}
