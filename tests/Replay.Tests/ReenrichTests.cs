using System.Text;
using System.Text.Json;

namespace Streaming.Replay.Tests;

/// <summary>
/// Scenario 2, re-enrichment: raw webhooks and storefront events sit on their topics, but no event was
/// made of them (the shop was added late, or the mapping was wrong). <c>reenrich</c> runs them through
/// the enricher's logic again, sessions included, and sends what Pinterest has not accepted.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class ReenrichTests(KafkaFixture kafka) : OnReplayRig(kafka)
{
    private const string SessionClickId = "dj0yJnU9cmVwbGF5LXNlc3Npb24";

    [Fact]
    public async Task Raw_records_become_events_again_with_their_sessions_and_a_second_run_sends_nothing()
    {
        var now = DateTimeOffset.UtcNow;
        await Rig.ProduceAsync(Rig.Topics.StorefrontEvents.Name, [($"{Shop}/cart-a", Session("cart-a", now.AddMinutes(-20)))]);
        await Rig.ProduceAsync(Rig.Topics.ShopifyWebhooks.Name,
        [
            ($"{Shop}/cart-a", Order("9007199254740993", "cart-a", now.AddMinutes(-15))),
            ($"{Shop}/cart-b", Order("9007199254740995", "cart-b", now.AddMinutes(-10))),
            ($"{Shop}/cart-c", Order("9007199254740997", "cart-c", now.AddMinutes(-5), sourceName: "pos")),
            ($"{Shop}/cart-d", Order("9007199254740999", "cart-d", now.AddDays(-8))),
        ]);
        await Rig.StartDispatcherAsync();

        var dryRun = await Rig.Tool.RunDoneAsync("reenrich", "--shop", Shop, "--from", "-9d", "--dry-run");

        Assert.Equal(2, dryRun.Count($"{Shop} checkout"));
        Assert.Equal(1, dryRun.Count("outside_window"));
        Assert.Equal(1, dryRun.Count("enricher_pos"));
        Assert.Equal(5, dryRun.Count("records read"));

        var first = await Rig.Tool.RunDoneAsync("reenrich", "--shop", Shop, "--from", "-9d");

        await Rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["9007199254740993", "9007199254740995"], ReplayRig.Patience);
        var sent = Rig.Pinterest.Requests.SelectMany(r => r.Events).ToDictionary(e => e.GetProperty("event_id").GetString()!);
        Assert.Equal(SessionClickId, sent["9007199254740993"].GetProperty("user_data").GetProperty("click_id").GetString());
        Assert.False(sent["9007199254740995"].GetProperty("user_data").TryGetProperty("click_id", out _));
        var events = await Rig.ReadAsync<PinterestEvent>(Rig.Topics.PinterestEvents.Name, 2);
        Assert.All(events, e => Assert.StartsWith("reenrich/", e.Replay, StringComparison.Ordinal));

        await Rig.WaitForProcessedAsync(2);
        await AssertSendsNothingAgainAsync(["reenrich", "--shop", Shop, "--from", "-9d"], 2, "9007199254740993", "9007199254740995");
    }

    [Fact]
    public async Task Records_of_the_lead_in_rebuild_sessions_but_their_own_events_are_not_sent()
    {
        await Rig.ProduceAsync(Rig.Topics.StorefrontEvents.Name, [($"{Shop}/cart-e", Session("cart-e", DateTimeOffset.UtcNow.AddMinutes(-1)))]);
        await Rig.ProduceAsync(Rig.Topics.ShopifyWebhooks.Name, [($"{Shop}/cart-e", Order("9007199254741001", "cart-e", DateTimeOffset.UtcNow.AddMinutes(-1)))]);

        // The order happened before the range: read as lead-in, its event is not this run's.
        var run = await Rig.Tool.RunDoneAsync("reenrich", "--from", "now", "--lookback", "1h", "--dry-run");

        Assert.Equal(2, run.Count("records read"));
        Assert.Equal(0, run.Count("events that would be sent"));
    }

    // The click id must come from the session, not from the order's own landing page.
    private static ShopifyWebhook Order(string id, string cartToken, DateTimeOffset createdAt, string sourceName = "web") =>
        ReplayRecords.Order(id, cartToken, createdAt, sourceName, landingSite: "/");

    private static StorefrontEvent Session(string cartToken, DateTimeOffset at)
    {
        using var pixel = JsonDocument.Parse(ShopifySamples.Fixture("pixel-page_viewed.json"));
        return new StorefrontEvent
        {
            ShopDomain = Shop,
            EventId = $"pixel-{Guid.NewGuid():N}",
            EventName = pixel.RootElement.GetProperty("name").GetString()!,
            ShopifyEventId = $"sh-{Guid.NewGuid():N}",
            ClientId = "client-1",
            OccurredAt = at.UtcDateTime,
            ClickId = SessionClickId,
            CartToken = cartToken,
            Consent = new StorefrontConsent { Analytics = true, Marketing = true, Preferences = true, SaleOfData = true },
            ClientIp = "203.0.113.7",
            UserAgent = "Mozilla/5.0 (replay test)",
            ReceivedAt = at.UtcDateTime,
            Event = Encoding.UTF8.GetBytes(pixel.RootElement.GetRawText()),
        };
    }
}
