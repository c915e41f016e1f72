namespace Streaming.Enricher.Tests.Stitching;

/// <summary>
/// The schema registry down while an enricher that has been up all along releases a waiting order. The
/// order's draft sits in the enricher's state, written with the schema id this process registered itself;
/// reading it back must not need the registry (issue 22's topology run: a batch of 152 records failed 21
/// times, for the whole outage, on the draft's schema lookup, and the orders behind it lost their sessions
/// to the grace period's wall-clock cap).
/// </summary>
[Collection(OnKafka.Name)]
public sealed class RegistryOutageTests(KafkaFixture kafka)
{
    private const string ClickId = "registry-outage-click-id";
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-10);

    [Fact]
    public async Task An_order_waiting_for_its_session_is_released_with_it_while_the_registry_is_unreachable()
    {
        await using var registry = await SchemaRegistryStandIn.StartAsync();
        await using var rig = new EnricherRig(kafka, await kafka.CreateTopicsAsync(1));
        await rig.StartAsync(EnricherRig.NewStateDirectory(), new Dictionary<string, string?>
        {
            ["SchemaRegistry:UseInMemoryRegistry"] = null,
            ["SchemaRegistry:Url"] = registry.BaseUrl.ToString(),
            ["Enricher:GracePeriod"] = "00:05:00",
            ["Enricher:GraceWallClockCap"] = "00:05:00",
        });

        // Up and warm: one joined order, so every schema of what it reads and writes is known to it.
        await rig.StorefrontAsync(Session("cart-warm"), T0);
        await rig.WebhookAsync("orders/create", EnricherRig.Order("9007199254740001", "cart-warm"), "cart-warm", T0.AddSeconds(1));
        Assert.Single(await rig.EventsAsync(1, TimeSpan.FromSeconds(20)));

        // An order with no session yet waits, its draft in the state.
        await rig.WebhookAsync("orders/create", EnricherRig.Order("9007199254740002", "cart-waits"), "cart-waits", T0.AddSeconds(2));
        Assert.Single(await rig.EventsAsync(2, TimeSpan.FromSeconds(2)));

        registry.Reachable = false;
        await rig.StorefrontAsync(Session("cart-waits"), T0.AddSeconds(3));

        var released = Assert.Single(await rig.EventsAsync(2, TimeSpan.FromSeconds(20)), e => e.Event.EventId == "9007199254740002").Event;
        Assert.Equal(ClickId, released.UserData.ClickId);
        Assert.False(registry.Reachable);
        Assert.Empty(registry.Refused);
    }

    private static StorefrontEvent Session(string cartToken)
    {
        using var pixel = JsonDocument.Parse(ShopifySamples.Fixture("pixel-page_viewed.json"));
        return SessionTests.Event(pixel, T0.ToUnixTimeMilliseconds(), ClickId, "203.0.113.9", "Mozilla/5.0 (outage)", cartToken);
    }
}
