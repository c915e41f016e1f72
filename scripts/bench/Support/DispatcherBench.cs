using System.Globalization;
using Streaming.Records;

namespace Streaming.Bench;

/// <summary>
/// The dispatcher benchmarks' load: ten shops (shop-N.myshopify.com) with one ad account each (100 + N),
/// checkout events spread over them, and the dispatcher's settings for topics named by a run's prefix on
/// the embedded broker.
/// </summary>
public static class DispatcherBench
{
    public const int Shops = 10;
    public const int Partitions = 6;

    private const string EmailHash = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";

    /// <summary>The ad account of shop <paramref name="shop"/>.</summary>
    public static string AdAccount(int shop) => (100 + shop).ToString(CultureInfo.InvariantCulture);

    /// <summary>The <paramref name="i"/>th checkout of a run, for shop <c>i % Shops</c>, with a hashed email, an IP, a user agent and a click id.</summary>
    public static PinterestEvent Checkout(string prefix, int i) => new()
    {
        ShopDomain = $"shop-{i % Shops}.myshopify.com",
        EventName = "checkout",
        ActionSource = "web",
        EventTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        EventId = $"{prefix}{i}",
        UserData = new PinterestUserData { Em = [EmailHash], ClientIpAddress = "203.0.113.9", ClientUserAgent = "Mozilla/5.0 (bench)", ClickId = "dj0yJnU9" },
        CustomData = new PinterestCustomData { Currency = "USD", Value = "49.90", OrderId = $"{i}", ContentIds = ["9007199254741207"], NumItems = 2 },
        EventSourceUrl = "https://shop.example/checkouts/c/1/thank-you",
    };

    /// <summary>
    /// A dispatcher's configuration on the broker at <paramref name="bootstrapServers"/>: its four topics named
    /// <paramref name="prefix"/> + pinterest, deliveries, delivered and dead, the in-memory registry, the
    /// stand-in at <paramref name="pinterestUrl"/>, the ten shops, and its state in a new temporary folder.
    /// </summary>
    public static Dictionary<string, string?> Settings(string bootstrapServers, string prefix, string pinterestUrl)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrapServers,
            ["Kafka:ProvisionTopics"] = "false",
            // Reached by address, the broker is not known to be the embedded one, which holds an empty fetch for
            // all of fetch.wait.max.ms (500 ms by default) where a real broker answers once records arrive: the
            // setting the services choose for the embedded broker by themselves (KafkaClientFactory).
            ["Kafka:Client:fetch.wait.max.ms"] = "10",
            // The host runs in Production, which takes the in-memory registry only when asked for by name.
            ["SchemaRegistry:UseInMemoryRegistry"] = "true",
            ["Kafka:Topics:PinterestEvents:Name"] = prefix + "pinterest",
            ["Kafka:Topics:PinterestEvents:Partitions"] = $"{Partitions}",
            ["Kafka:Topics:PinterestDeliveries:Name"] = prefix + "deliveries",
            ["Kafka:Topics:DispatcherDelivered:Name"] = prefix + "delivered",
            ["Kafka:Topics:DispatcherDelivered:Partitions"] = $"{Partitions}",
            ["Kafka:Topics:DeadLetters:Name"] = prefix + "dead",
            ["Dispatcher:State:Directory"] = Path.Combine(Path.GetTempPath(), $"dispatcher-bench-{Guid.NewGuid():N}"),
            ["Pinterest:BaseUrl"] = pinterestUrl,
        };
        for (var shop = 0; shop < Shops; shop++)
        {
            settings[$"Shops:{shop}:Domain"] = $"shop-{shop}.myshopify.com";
            settings[$"Shops:{shop}:WebhookSecrets:0"] = "bench";
            settings[$"Shops:{shop}:Pinterest:AdAccountId"] = AdAccount(shop);
            settings[$"Shops:{shop}:Pinterest:ConversionToken"] = $"token-{shop}";
        }

        return settings;
    }
}
