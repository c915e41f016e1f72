using Microsoft.Extensions.Options;
using Streaming.Platform.Avro;
using Streaming.Records;

namespace Streaming.TestSupport;

/// <summary>Records and serdes as another process of the pipeline would have them.</summary>
public static class TestRecords
{
    /// <summary>Serdes with a registry of its own, as a separate process would have.</summary>
    public static AvroSerdes Serdes() => new(new InMemorySchemaRegistry(), Options.Create(new SchemaRegistryOptions()));

    public static PinterestEvent Checkout(string id, string shop = TestSettings.Shop) => new()
    {
        ShopDomain = shop,
        EventName = "checkout",
        ActionSource = "web",
        // Recent: the dispatcher dead-letters events older than its window (Dispatcher:MaxEventAge).
        EventTime = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(),
        EventId = id,
        UserData = new PinterestUserData { Em = ["0f1e"] },
        CustomData = new PinterestCustomData { Currency = "USD", Value = "1.00", OrderId = id },
    };
}
