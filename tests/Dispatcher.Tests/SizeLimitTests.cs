namespace Streaming.Dispatcher.Tests;

/// <summary>
/// Sizes, both ways, over loopback: a request too large for Pinterest or a proxy in front of it loses no
/// valid event, no request goes above Dispatcher:MaxRequestBytes, and an answer is not read past
/// Pinterest:MaxAnswerBytes.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class SizeLimitTests(KafkaFixture kafka) : IAsyncLifetime
{
    private const string TooLargePage = "<html><body><h1>413 Request Entity Too Large</h1></body></html>";
    private readonly DispatcherRig _rig = new(kafka);

    public Task InitializeAsync() => _rig.InitializeAsync();

    public Task DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task A_413_splits_the_request_until_every_valid_event_is_accepted_and_only_an_event_too_large_alone_is_dead_lettered()
    {
        // A proxy in front of Pinterest that refuses bodies above 6,000 bytes; the dispatcher's own limit is far above it.
        const int proxyLimit = 6000;
        _rig.Pinterest.Respond = (_, request) => Encoding.UTF8.GetByteCount(request.Body) > proxyLimit ? (413, TooLargePage) : 200;
        var valid = Enumerable.Range(0, 30).Select(i => TestRecords.Checkout($"fits-{i}")).ToArray();
        var huge = WithContents(TestRecords.Checkout("huge"), 60);
        await _rig.ProduceAsync([.. valid.Take(15), huge, .. valid.Skip(15)]);
        await _rig.StartAsync();

        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, valid.Select(e => e.EventId), DispatcherRig.Patience);

        var letter = Assert.Single(await _rig.DeadLettersAsync(1));
        Assert.Equal("huge", (await _rig.EventOfAsync(letter)).EventId);
        Assert.Equal("pinterest_rejected_413", letter.Reason);
        Assert.Contains("too large to send even alone", letter.Error, StringComparison.Ordinal);
        var deliveries = await _rig.DeliveriesAsync(31);
        Assert.Equal("rejected", Assert.Single(deliveries, d => d.EventId == "huge").Status);
        Assert.All(deliveries.Where(d => d.EventId != "huge"), d => Assert.Equal("processed", d.Status));
    }

    [Fact]
    public async Task No_request_carries_more_than_MaxRequestBytes()
    {
        const int limit = 4096;
        _rig.Pinterest.Respond = (_, request) => Encoding.UTF8.GetByteCount(request.Body) > limit ? (413, TooLargePage) : 200;
        var events = Enumerable.Range(0, 40).Select(i => TestRecords.Checkout($"packed-{i}")).ToArray();
        await _rig.ProduceAsync(events);
        // The whole linger: 40 events are far below the call budget, so the adaptive linger may rightly send the
        // first at once, and this test is about how requests are packed under the byte limit, not when they go.
        await _rig.StartAsync(new() { ["Dispatcher:MaxRequestBytes"] = $"{limit}", ["Dispatcher:AdaptiveLinger"] = "false" });

        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, events.Select(e => e.EventId), DispatcherRig.Patience);

        var requests = _rig.Pinterest.Requests;
        Assert.All(requests, r => Assert.InRange(Encoding.UTF8.GetByteCount(r.Body), 1, limit));
        // Packed, not sent one by one: each request is more than half full, but the last.
        Assert.All(requests.SkipLast(1), r => Assert.True(Encoding.UTF8.GetByteCount(r.Body) > limit / 2, $"A request of {r.Body.Length} bytes."));
        // Not one call was refused: the limit was kept before sending, not learnt from 413s.
        Assert.Equal(requests.Count, _rig.Pinterest.Calls);
    }

    [Fact]
    public async Task An_answer_larger_than_MaxAnswerBytes_is_not_read_past_it_and_counts_as_unreadable()
    {
        // 4 MiB, then no end: reading it whole would wait until the request timed out, and send the event again.
        const int limit = 64 * 1024;
        _rig.Pinterest.Respond = (_, _) => new FakeAnswer(200, StreamBytes: 4L * 1024 * 1024);
        await _rig.StartAsync(new() { ["Pinterest:MaxAnswerBytes"] = $"{limit}", ["Pinterest:RequestTimeout"] = "00:01:00" });

        await _rig.ProduceAsync(TestRecords.Checkout("big-answer"));

        // An unreadable 200 says nothing against the events: they count as processed, as they always did.
        var delivery = Assert.Single(await _rig.DeliveriesAsync(1));
        Assert.Equal(("big-answer", "processed", 1), (delivery.EventId, delivery.Status, delivery.Attempts));
        Assert.Equal(1, _rig.Pinterest.Calls);
        // The dispatcher let the answer go: the connection was closed under it.
        await DispatcherRig.WaitUntilAsync(() => _rig.Pinterest.StreamsEnded == 1, "the dispatcher closed the answer's connection");
    }

    // Items with long names: a real order of many lines.
    private static PinterestEvent WithContents(PinterestEvent e, int items)
    {
        e.CustomData.Contents = [.. Enumerable.Range(0, items).Select(i => new PinterestContent
        {
            Id = $"sku-{i}", ItemPrice = "12.50", Quantity = 1, ItemName = $"Hand-thrown stoneware mug, glaze {i}, with a long description of its colour",
        })];
        return e;
    }
}
