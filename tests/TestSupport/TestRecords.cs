using Microsoft.Extensions.Options;
using Streaming.Records;

namespace Streaming.TestSupport;

/// <summary>Records and serdes as another process of the pipeline would have them.</summary>
public static class TestRecords
{
    /// <summary>Serdes with a registry of its own, as a separate process would have.</summary>
    public static AvroSerdes Serdes() => new(new InMemorySchemaRegistry(), Options.Create(new SchemaRegistryOptions()));

    /// <summary>SHA-256 of test@example.com, as the enricher writes it.</summary>
    public const string EmailHash = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";

    public static PinterestEvent Checkout(string id, string shop = TestSettings.Shop) => new()
    {
        ShopDomain = shop,
        EventName = "checkout",
        ActionSource = "web",
        // Recent: the dispatcher dead-letters events older than its window (Dispatcher:MaxEventAge).
        EventTime = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(),
        EventId = id,
        UserData = new PinterestUserData { Em = [EmailHash] },
        CustomData = new PinterestCustomData { Currency = "USD", Value = "1.00", OrderId = id },
    };
}
