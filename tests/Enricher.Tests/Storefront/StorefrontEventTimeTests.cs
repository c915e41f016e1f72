using Streaming.Enricher.Sessions;
using Streaming.Enricher.Storefront;

namespace Streaming.Enricher.Tests.Storefront;

/// <summary>
/// Ingest refuses storefront events stamped far ahead or long ago, but a record replayed from Kafka has not
/// met that check: the enricher holds it to the rule orders meet (2006 up to a day ahead).
/// </summary>
public sealed class StorefrontEventTimeTests
{
    private static readonly EnricherShop Shop = new() { Domain = TestSettings.Shop };

    [Theory]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("next year")]
    [InlineData("1970-01-02T00:00:00Z")]
    public void A_product_view_stamped_at_no_plausible_time_is_skipped_not_sent(string stamped)
    {
        var at = stamped == "next year" ? DateTimeOffset.UtcNow.AddYears(1) : DateTimeOffset.Parse(stamped, System.Globalization.CultureInfo.InvariantCulture);
        using var viewed = JsonDocument.Parse(ShopifySamples.Fixture("pixel-product_viewed.json"));
        var storefrontEvent = SessionTests.Event(viewed, at.ToUnixTimeMilliseconds(), "click", "203.0.113.7", "UA");
        var session = SessionRecorder.Record(null, storefrontEvent, viewed.RootElement);

        var (sent, skipped) = StorefrontEventMapper.Map(storefrontEvent, viewed.RootElement, session, Shop);

        Assert.Null(sent);
        Assert.Equal(SkipReasons.ImplausibleEventTime, skipped);
    }

    [Fact]
    public void A_product_view_of_a_minute_ago_is_sent_with_its_time()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var viewed = JsonDocument.Parse(ShopifySamples.Fixture("pixel-product_viewed.json"));
        var storefrontEvent = SessionTests.Event(viewed, at.ToUnixTimeMilliseconds(), "click", "203.0.113.7", "UA");
        var session = SessionRecorder.Record(null, storefrontEvent, viewed.RootElement);

        var (sent, skipped) = StorefrontEventMapper.Map(storefrontEvent, viewed.RootElement, session, Shop);

        Assert.Null(skipped);
        Assert.Equal(("page_visit", at.ToUnixTimeSeconds()), (sent!.EventName, sent.EventTime));
    }
}
