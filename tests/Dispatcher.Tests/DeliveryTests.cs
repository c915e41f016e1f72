using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Streaming.ServiceDefaults;
using Xunit.Abstractions;

namespace Streaming.Dispatcher.Tests;

/// <summary>
/// The dispatcher as a service, against the test broker and a Pinterest stand-in on loopback that checks
/// every body and injects the faults found when the skeleton was tried. Every test ends with the same
/// checks: no body broke the reference's rules, and no event id was accepted twice.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class DeliveryTests(KafkaFixture kafka, ITestOutputHelper output) : IAsyncLifetime
{
    private const string ShopB = "b-shop.myshopify.com";
    private const string AdAccountB = "222";
    private const string TokenB = "b-conversion-token-secret";
    private static readonly TimeSpan Patience = DispatcherRig.Patience;
    private readonly DispatcherRig _rig = new(kafka, partitions: 2);

    public Task InitializeAsync() => _rig.InitializeAsync();

    public Task DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task Events_go_in_requests_of_up_to_a_thousand_per_ad_account_and_each_gets_a_delivery_record()
    {
        var backlog = Enumerable.Range(0, 2500).Select(i => TestRecords.Checkout($"e-{i}")).ToArray();
        await _rig.ProduceAsync(backlog);
        await StartAsync();

        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, backlog.Select(e => e.EventId), Patience);

        var requests = _rig.Pinterest.Requests;
        Assert.All(requests, r => Assert.InRange(r.Events.Count, 1, 1000));
        // Two partitions, a lane that gathers across them: a handful of requests, not thousands.
        Assert.InRange(requests.Count, 3, 8);
        var deliveries = await _rig.DeliveriesAsync(backlog.Length);
        Assert.All(deliveries, d => Assert.Equal("processed", d.Status));
        Assert.Equal(backlog.Select(e => e.EventId).Order(), deliveries.Select(d => d.EventId).Order());
        var one = deliveries[0];
        Assert.Equal((TestSettings.Shop, TestSettings.AdAccountId, "checkout", 1), (one.ShopDomain, one.AdAccountId, one.EventName, one.Attempts));
        Assert.Equal(["em"], one.MatchKeys);
        Assert.InRange(one.LatencyMs, 0, 60_000);
        // The event's own time rides along, so the operator view can tell the delay from the shop's event.
        Assert.Equal(backlog.Single(e => e.EventId == one.EventId).EventTime, one.EventTime);
        Assert.All(deliveries, d => Assert.Null(d.DeadLetterReason));
    }

    [Fact]
    public async Task Five_hundreds_timeouts_and_a_reset_connection_are_retried_until_Pinterest_takes_the_events()
    {
        _rig.Pinterest.Respond = (call, _) => call switch
        {
            0 => (500, """{"code":0,"message":"Internal error"}"""),
            1 => new FakeAnswer(200, Delay: TimeSpan.FromSeconds(4)),
            2 => new FakeAnswer(200, Reset: true),
            3 => (503, """{"code":0,"message":"Service unavailable"}"""),
            _ => 200,
        };
        await StartAsync();

        await _rig.ProduceAsync(TestRecords.Checkout("retry-me"));

        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["retry-me"], Patience);
        Assert.Equal(5, _rig.Pinterest.Calls);
        Assert.Equal(5, Assert.Single(await _rig.DeliveriesAsync(1)).Attempts);
        Assert.Empty(kafka.ReadAll(_rig.Topics.DeadLetters.Name, 1, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task One_bad_event_in_a_request_is_isolated_by_splitting_and_only_it_is_dead_lettered()
    {
        _rig.Pinterest.Respond = (_, request) => request.EventIds.Contains("bad")
            ? (400, """{"code":4196,"message":"The request was invalid."}""")
            : 200;
        var events = Enumerable.Range(0, 20).Select(i => TestRecords.Checkout(i == 13 ? "bad" : $"good-{i}")).ToArray();
        await _rig.ProduceAsync(events);
        await StartAsync(partitionsOfOne: true);

        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, events.Where(e => e.EventId != "bad").Select(e => e.EventId), Patience);
        var letter = await _rig.SingleDeadLetterAsync();
        Assert.Equal("pinterest_rejected_400", letter.Reason);
        Assert.Contains("The request was invalid.", letter.Error, StringComparison.Ordinal);
        Assert.Equal("bad", (await _rig.EventOfAsync(letter)).EventId);
        Assert.DoesNotContain(_rig.Pinterest.Accepted.Keys, k => k.EndsWith("/bad", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_events_Pinterest_reports_as_failed_are_dead_lettered_on_a_200_and_on_a_422()
    {
        _rig.Pinterest.Respond = (call, request) => (call == 0 ? 200 : 422, $$"""
            {"num_events_received":{{request.Events.Count}},"num_events_processed":{{request.Events.Count - 1}},"events":[{{string.Join(",", request.EventIds.Select(id =>
                id.StartsWith("broken", StringComparison.Ordinal)
                    ? """{"status":"failed","error_message":"em is not a hash","warning_message":""}"""
                    : """{"status":"processed","error_message":"","warning_message":""}"""))}}]}
            """);
        await _rig.ProduceAsync(TestRecords.Checkout("fine-1"), TestRecords.Checkout("broken-1"), TestRecords.Checkout("fine-2"));
        await StartAsync(partitionsOfOne: true);

        var letter = await _rig.SingleDeadLetterAsync();
        Assert.Equal("pinterest_event_failed", letter.Reason);
        Assert.Equal("em is not a hash", letter.Error);
        var deliveries = await _rig.DeliveriesAsync(3);
        var broken = Assert.Single(deliveries, d => d.EventId == "broken-1");
        Assert.Equal("failed", broken.Status);
        Assert.Equal("em is not a hash", broken.Message);
        // The delivery record names the dead letter written with it.
        Assert.Equal("pinterest_event_failed", broken.DeadLetterReason);
        Assert.All(deliveries.Where(d => d.EventId != "broken-1"), d => Assert.Null(d.DeadLetterReason));
    }

    [Fact]
    public async Task Events_of_an_unknown_shop_are_dead_lettered()
    {
        await StartAsync();
        var stranger = TestRecords.Checkout("x");
        stranger.ShopDomain = "stranger.myshopify.com";

        await _rig.ProduceAsync(stranger);

        var letter = await _rig.SingleDeadLetterAsync();
        Assert.Equal("unknown_shop", letter.Reason);
        Assert.Equal("stranger.myshopify.com/x", Encoding.UTF8.GetString(letter.Key!));
        Assert.Equal(0, _rig.Pinterest.Calls);
    }

    [Fact]
    public async Task Events_older_than_Pinterests_window_are_dead_lettered_as_too_old_and_never_sent()
    {
        var old = TestRecords.Checkout("last-week");
        old.EventTime = DateTimeOffset.UtcNow.AddDays(-8).ToUnixTimeSeconds();
        await _rig.ProduceAsync(old, TestRecords.Checkout("today"));
        await StartAsync(extra: new() { ["Dispatcher:MaxEventAge"] = "7.00:00:00" });

        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["today"], Patience);
        var letter = await _rig.SingleDeadLetterAsync();
        Assert.Equal("too_old", letter.Reason);
        Assert.Contains("Dispatcher:MaxEventAge", letter.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_rig.Pinterest.Requests.SelectMany(r => r.EventIds), id => id == "last-week");
    }

    [Fact]
    public async Task A_ramped_down_endpoint_gets_a_long_backoff_not_dead_letters()
    {
        _rig.Pinterest.Respond = (call, _) => call == 0
            ? (503, """{"code":4197,"message":"The endpoint has been ramped down and is currently not accepting any traffic."}""")
            : 200;
        await StartAsync(extra: new() { ["Dispatcher:RampedDownBackoff"] = "00:00:03" });
        var started = Stopwatch.StartNew();

        await _rig.ProduceAsync(TestRecords.Checkout("ramped"));

        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["ramped"], Patience);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(3), $"Sent again after {started.Elapsed.TotalSeconds:0.0} s, before the ramped-down backoff.");
        Assert.Equal(2, _rig.Pinterest.Calls);
        Assert.Empty(kafka.ReadAll(_rig.Topics.DeadLetters.Name, 1, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task A_429_with_Retry_After_holds_only_its_own_shop_for_as_long_as_Pinterest_asked()
    {
        var first429 = DateTime.MinValue;
        var retriedAt = DateTime.MinValue;
        _rig.Pinterest.Respond = (_, request) =>
        {
            if (request.AdAccountId != TestSettings.AdAccountId)
            {
                return 200;
            }

            if (first429 == DateTime.MinValue)
            {
                first429 = DateTime.UtcNow;
                return new FakeAnswer(429, """{"code":8,"message":"Rate limit exceeded"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "4" });
            }

            retriedAt = DateTime.UtcNow;
            return 200;
        };
        await StartAsync(twoShops: true);

        await _rig.ProduceAsync(TestRecords.Checkout("a-limited"));
        await DispatcherRig.WaitUntilAsync(() => first429 != DateTime.MinValue, "shop A got its 429");
        var b = Stopwatch.StartNew();
        await _rig.ProduceAsync(TestRecords.Checkout("b-flows", ShopB));
        await _rig.Pinterest.WaitForAcceptedAsync(AdAccountB, ["b-flows"], Patience);
        var latencyB = b.Elapsed;

        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["a-limited"], Patience);
        output.WriteLine($"Shop B's event went in {latencyB.TotalMilliseconds:0} ms while shop A waited out Retry-After: 4 ({(retriedAt - first429).TotalSeconds:0.00} s).");
        Assert.True(latencyB < TimeSpan.FromSeconds(2), $"Shop B waited {latencyB.TotalSeconds:0.0} s behind shop A's 429.");
        Assert.InRange((retriedAt - first429).TotalSeconds, 3.9, 8);
    }

    [Fact]
    public async Task Shops_whose_Pinterest_hangs_hold_neither_another_shop_nor_the_consumer_and_nothing_is_sent_twice()
    {
        // Shops C and D hang past the request timeout for their first calls; shop A is healthy.
        var hung = new HashSet<string>();
        _rig.Pinterest.Respond = (_, request) =>
        {
            lock (hung)
            {
                return request.AdAccountId != TestSettings.AdAccountId && hung.Add($"{request.AdAccountId}/{request.EventIds.First()}")
                    ? new FakeAnswer(200, Delay: TimeSpan.FromSeconds(5))
                    : 200;
            }
        };
        var extra = new Dictionary<string, string?>();
        foreach (var (n, shop, account) in new[] { (1, "c-shop.myshopify.com", "333"), (2, "d-shop.myshopify.com", "444") })
        {
            extra[$"Shops:{n}:Domain"] = shop;
            extra[$"Shops:{n}:WebhookSecrets:0"] = "secret";
            extra[$"Shops:{n}:Pinterest:AdAccountId"] = account;
            extra[$"Shops:{n}:Pinterest:ConversionToken"] = $"token-{n}";
        }

        var host = await StartAsync(extra: extra);
        await _rig.ProduceAsync(TestRecords.Checkout("c-1", "c-shop.myshopify.com"), TestRecords.Checkout("d-1", "d-shop.myshopify.com"));
        await Task.Delay(300);
        var a = Stopwatch.StartNew();
        await _rig.ProduceAsync(TestRecords.Checkout("a-1"));
        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["a-1"], Patience);
        var latencyA = a.Elapsed;

        await _rig.Pinterest.WaitForAcceptedAsync("333", ["c-1"], Patience);
        await _rig.Pinterest.WaitForAcceptedAsync("444", ["d-1"], Patience);
        output.WriteLine($"Shop A's event went in {latencyA.TotalMilliseconds:0} ms while two shops' Pinterest hung.");
        Assert.True(latencyA < TimeSpan.FromSeconds(2), $"Shop A waited {latencyA.TotalSeconds:0.0} s behind the hung shops.");
        Assert.DoesNotContain(host.Logs.Lines, l => l.Message.Contains("lost", StringComparison.Ordinal) || l.Message.Contains("gave up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_token_pauses_its_shop_holds_its_events_reports_it_by_name_and_resumes_when_the_token_is_fixed()
    {
        _rig.Pinterest.Respond = (_, request) => request.Authorization == $"Bearer {TokenB}"
            ? (401, """{"code":2,"message":"Authentication failed."}""")
            : 200;
        var host = await StartAsync(twoShops: true, map: app => app.MapHealthEndpoints());

        await _rig.ProduceAsync(TestRecords.Checkout("b-held-1", ShopB), TestRecords.Checkout("b-held-2", ShopB), TestRecords.Checkout("a-1"));
        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["a-1"], Patience);
        await DispatcherRig.WaitUntilAsync(() => host.Logs.Lines.Any(l => l.Message.Contains("refused the conversion token of b-shop", StringComparison.Ordinal)), "the refused token was reported by shop");
        await _rig.ProduceAsync(TestRecords.Checkout("a-2"));
        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["a-2"], Patience);

        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        var ready = await http.GetFromJsonAsync<JsonElement>("/readyz");
        Assert.Equal("Degraded", ready.GetProperty("status").GetString());
        Assert.Contains(ShopB, ready.GetProperty("checks").GetProperty("pinterest-shops").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Single(host.Logs.Lines, l => l.Message.Contains("refused the conversion token", StringComparison.Ordinal));
        Assert.Empty(kafka.ReadAll(_rig.Topics.DeadLetters.Name, 1, TimeSpan.FromMilliseconds(500)));

        // The operator fixes the token; the configuration reloads.
        var configuration = (IConfigurationRoot)host.Service<IConfiguration>();
        configuration["Shops:1:Pinterest:ConversionToken"] = "b-fixed-token";
        configuration.Reload();

        await _rig.Pinterest.WaitForAcceptedAsync(AdAccountB, ["b-held-1", "b-held-2"], Patience);
        Assert.Equal("Healthy", (await http.GetFromJsonAsync<JsonElement>("/readyz")).GetProperty("status").GetString());
        AssertNoTokenIn(host, TokenB);
    }

    [Fact]
    public async Task An_ad_account_that_refuses_the_market_fields_gets_the_request_again_without_them_and_from_then_on()
    {
        _rig.Pinterest.Respond = (_, request) => request.Body.Contains("market_handle", StringComparison.Ordinal)
            ? (400, """{"code":4196,"message":"Invalid request: Additional properties are not allowed ('market_handle', 'market_id' were unexpected)"}""")
            : 200;
        var host = await StartAsync(partitionsOfOne: true);

        await _rig.ProduceAsync(TestRecords.Checkout("m-1"), TestRecords.Checkout("m-2"));
        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["m-1", "m-2"], Patience);
        await _rig.ProduceAsync(TestRecords.Checkout("m-3"));
        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["m-3"], Patience);

        Assert.Equal(_rig.Pinterest.Requests.Count + 1, _rig.Pinterest.Calls);
        Assert.Single(host.Logs.Lines, l => l.Message.Contains("refused the market fields", StringComparison.Ordinal));
        Assert.Empty(kafka.ReadAll(_rig.Topics.DeadLetters.Name, 1, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task An_event_id_Pinterest_accepted_is_not_sent_again_after_a_restart_with_empty_disks_unless_marked_for_resending()
    {
        await StartAsync();
        await _rig.ProduceAsync(TestRecords.Checkout("once"));
        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["once"], Patience);
        await _rig.StopAllAsync();
        Assert.Equal("processed", Assert.Single(await _rig.DeliveriesAsync(1)).Status);

        // A new instance on a fresh disk restores the delivered ids from the changelog; a replay of the
        // same event is skipped, an explicit resend goes.
        await StartAsync();
        var replayed = TestRecords.Checkout("once");
        await _rig.ProduceAsync(replayed, TestRecords.Checkout("new"));
        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["new"], Patience);
        var deliveries = await _rig.DeliveriesAsync(3);
        Assert.Equal(["processed", "duplicate"], deliveries.Where(d => d.EventId == "once").Select(d => d.Status));
        Assert.Equal(1, _rig.Pinterest.Accepted[$"{TestSettings.AdAccountId}/once"]);

        var resend = TestRecords.Checkout("once");
        resend.Resend = true;
        await _rig.ProduceAsync(resend);
        await DispatcherRig.WaitUntilAsync(() => _rig.Pinterest.Requests.Count(r => r.EventIds.Contains("once")) == 2, "the resend went");
        Assert.Equal(2, _rig.Pinterest.Accepted[$"{TestSettings.AdAccountId}/once"]);
        // Sent twice on purpose: the end-of-test check must not count it.
        _rig.ForgetAccepted($"{TestSettings.AdAccountId}/once");
    }

    [Fact]
    public async Task Conversion_tokens_appear_in_no_log_dead_letter_or_delivery_record_whatever_Pinterest_answers()
    {
        _rig.Pinterest.Respond = (call, request) => call switch
        {
            0 => (500, """{"code":0,"message":"Internal error"}"""),
            1 => new FakeAnswer(200, Reset: true),
            _ when request.EventIds.Contains("bad") => (400, """{"code":4196,"message":"The request was invalid."}"""),
            _ when request.AdAccountId == AdAccountB => (403, """{"code":29,"message":"You are not permitted to access that resource."}"""),
            _ => 200,
        };
        var host = await StartAsync(twoShops: true, extra: new() { ["Logging:LogLevel:Default"] = "Trace" });

        await _rig.ProduceAsync(TestRecords.Checkout("fine"), TestRecords.Checkout("bad"), TestRecords.Checkout("b-1", ShopB));
        await _rig.SingleDeadLetterAsync();
        await DispatcherRig.WaitUntilAsync(() => host.Logs.Lines.Any(l => l.Message.Contains("refused the conversion token", StringComparison.Ordinal)), "the refused token was reported");

        AssertNoTokenIn(host, TestSettings.ConversionToken);
        AssertNoTokenIn(host, TokenB);
    }

    private void AssertNoTokenIn(TestHost host, string token)
    {
        Assert.DoesNotContain(host.Logs.Lines, l => l.Message.Contains(token, StringComparison.Ordinal));
        foreach (var topic in new[] { _rig.Topics.DeadLetters.Name, _rig.Topics.PinterestDeliveries.Name })
        {
            foreach (var record in kafka.ReadAll(topic, int.MaxValue, TimeSpan.FromMilliseconds(500)))
            {
                Assert.DoesNotContain(token, Encoding.UTF8.GetString(record.Message.Value), StringComparison.Ordinal);
            }
        }
    }

    private async Task<TestHost> StartAsync(
        bool twoShops = false, bool partitionsOfOne = false, Dictionary<string, string?>? extra = null, Action<Microsoft.AspNetCore.Builder.WebApplication>? map = null)
    {
        var settings = _rig.Settings();
        settings["Dispatcher:GroupId"] = $"dispatcher-{GetHashCode()}";
        if (twoShops)
        {
            settings["Shops:1:Domain"] = ShopB;
            settings["Shops:1:WebhookSecrets:0"] = "b-secret";
            settings["Shops:1:Pinterest:AdAccountId"] = AdAccountB;
            settings["Shops:1:Pinterest:ConversionToken"] = TokenB;
        }

        if (partitionsOfOne)
        {
            // Long enough that what was produced together goes in one request.
            settings["Dispatcher:Linger"] = "00:00:00.500";
        }

        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return await _rig.StartHostAsync(settings, map);
    }
}
