namespace Streaming.Enricher.Tests.Output;

/// <summary>The enricher's account of its inputs (pipeline.enrichment-outcomes), which the operator view counts.</summary>
[Collection(OnKafka.Name)]
public sealed class OutcomeTests(KafkaFixture kafka)
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-10);

    [Fact]
    public async Task Every_input_that_was_or_would_have_been_an_event_gets_one_outcome_and_inputs_that_are_no_event_get_none()
    {
        await using var rig = new EnricherRig(kafka, await kafka.CreateTopicsAsync(partitions: 1));
        await rig.StartAsync(EnricherRig.NewStateDirectory());
        using var pageViewed = JsonDocument.Parse(ShopifySamples.Fixture("pixel-page_viewed.json"));
        using var productViewed = JsonDocument.Parse(ShopifySamples.Fixture("pixel-product_viewed.json"));
        var pos = ShopifySamples.Fixture("orders-create-pos.json");
        var posCreatedAt = JsonDocument.Parse(pos).RootElement.GetProperty("created_at").GetDateTimeOffset();

        // A session, then its product view and its order; then a POS order, a repeat, an update, poison, and an order with no session.
        await rig.StorefrontAsync(SessionTests.Event(pageViewed, T0.ToUnixTimeMilliseconds(), "click", "203.0.113.7", "UA", "cart-joined"), T0);
        await rig.StorefrontAsync(SessionTests.Event(productViewed, T0.ToUnixTimeMilliseconds(), "click", "203.0.113.7", "UA", "cart-joined"), T0);
        var joined = EnricherRig.Order("9007199254741101", "cart-joined");
        await rig.WebhookAsync("orders/create", joined, "cart-joined", T0.AddSeconds(1));
        await rig.WebhookAsync("orders/create", pos, "pos-cart", T0.AddSeconds(2));
        await rig.WebhookAsync("orders/create", joined, "cart-joined", T0.AddSeconds(3));
        await rig.WebhookAsync("orders/updated", joined, "cart-joined", T0.AddSeconds(4));
        await rig.WebhookAsync("orders/create", "not json"u8.ToArray(), "cart-poison", T0.AddSeconds(5));
        await rig.WebhookAsync("orders/create", EnricherRig.Order("9007199254741102", "cart-alone"), "cart-alone", T0.AddSeconds(6));

        var records = kafka.ReadAll(rig.Topics.EnrichmentOutcomes.Name, 5, TimeSpan.FromSeconds(20));
        // One more than due, for a moment: none may come for the session, the repeat or the update.
        Assert.Equal(5, kafka.ReadAll(rig.Topics.EnrichmentOutcomes.Name, 6, TimeSpan.FromSeconds(2)).Count);
        var outcomes = new List<EnrichmentOutcome>();
        foreach (var record in records)
        {
            outcomes.Add(await rig.Serdes.DeserializeAsync<EnrichmentOutcome>(record.Message.Value, record.Topic));
        }

        Assert.Equal(5, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(TestSettings.Shop, o.ShopDomain));
        Assert.All(outcomes, o => Assert.InRange(o.DecidedAt, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1)));
        var view = Assert.Single(outcomes, o => o.Input == "storefront/product_viewed");
        Assert.Equal(("page_visit", "mapped", true, true), (view.EventName, view.Outcome, view.SessionJoined, view.ClickId));
        var sent = Assert.Single(outcomes, o => o.EventId == "9007199254741101");
        Assert.Equal(("orders/create", "checkout", "mapped", (string?)null), (sent.Input, sent.EventName, sent.Outcome, sent.Reason));
        Assert.True(sent.SessionJoined);
        Assert.True(sent.ClickId);
        var excluded = Assert.Single(outcomes, o => o.Reason == "pos");
        Assert.Equal(("checkout", "skipped", (string?)null), (excluded.EventName, excluded.Outcome, excluded.EventId));
        // A day the merchant can find the order under: when Shopify says it was placed.
        Assert.Equal(posCreatedAt.UtcDateTime, excluded.OccurredAt);
        var poison = Assert.Single(outcomes, o => o.Outcome == "dead_lettered");
        Assert.Equal(("checkout", "unmappable"), (poison.EventName, poison.Reason));
        var alone = Assert.Single(outcomes, o => o.EventId == "9007199254741102");
        Assert.Equal("mapped", alone.Outcome);
        Assert.False(alone.SessionJoined);
        // Its own landing_site carries the epik parameter: a click id without a session.
        Assert.True(alone.ClickId);
        var keys = records.Select(r => Encoding.UTF8.GetString(r.Message.Key!)).ToList();
        Assert.Contains($"{TestSettings.Shop}/9007199254741101", keys);
        Assert.Contains(TestSettings.Shop, keys);
    }
}
