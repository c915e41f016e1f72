using System.Diagnostics;
using System.Text.RegularExpressions;
using Streaming.Contracts;
using Streaming.Records;
using Streaming.Replay.Cli;
using Streaming.TestSupport;

namespace Streaming.Replay.Tests;

/// <summary>
/// Scenario 1, an outage or a misconfiguration: a shop ran for a while without its conversion token, so
/// the dispatcher only wrote its requests to the dry-run file. Once the token is configured, <c>resend</c>
/// sends exactly what Pinterest has not accepted, through the running dispatcher.
/// </summary>
[Collection(OnKafka.Name)]
public sealed partial class ResendTests(KafkaFixture kafka) : OnReplayRig(kafka, conversionToken: null)
{
    [Fact]
    public async Task Events_never_sent_for_want_of_a_token_are_sent_once_after_the_fix_and_a_second_run_sends_nothing()
    {
        var ids = Enumerable.Range(1, 5).Select(i => $"resend-{i}").ToList();
        var stale = TestRecords.Checkout("resend-stale");
        stale.EventTime = DateTimeOffset.UtcNow.AddDays(-8).ToUnixTimeSeconds();
        await RunWithoutTokenAsync([.. ids.Select(id => TestRecords.Checkout(id)), stale]);
        await Rig.StartDispatcherAsync();

        var dryRun = await Rig.Tool.RunAsync("resend", "--shop", Shop, "--from", "-9d", "--dry-run");

        Assert.True(dryRun.ExitCode == ReplayCli.Done, dryRun.ToString());
        Assert.Equal(5, dryRun.Count($"{Shop} checkout"));
        Assert.Equal(1, dryRun.Count("outside_window"));
        Assert.Equal(0, dryRun.Count("already_accepted"));
        Assert.Contains("Dry run: nothing was written.", dryRun.Output, StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Equal(0, Rig.Pinterest.Calls);

        var first = await Rig.Tool.RunAsync("resend", "--shop", Shop, "--from", "-9d");

        Assert.True(first.ExitCode == ReplayCli.Done, first.ToString());
        Assert.Equal(5, first.Count("events sent to the dispatcher"));
        await Rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ids, ReplayRig.Patience);
        var replayed = await Rig.ReadAsync<PinterestEvent>(Rig.Topics.PinterestEvents.Name, 11);
        Assert.Equal(5, replayed.Count(e => e.Replay?.StartsWith("resend/", StringComparison.Ordinal) == true && !e.Resend));
        Assert.DoesNotContain(replayed, e => e.EventId == stale.EventId && e.Replay is not null);

        await Rig.WaitForProcessedAsync(5);
        var second = await Rig.Tool.RunAsync("resend", "--shop", Shop, "--from", "-9d");

        Assert.True(second.ExitCode == ReplayCli.Done, second.ToString());
        Assert.Equal(0, second.Count("events sent to the dispatcher"));
        // The five originals and their five replays: all accepted now.
        Assert.Equal(10, second.Count("already_accepted"));
        await Task.Delay(1000);
        Assert.All(ids, id => Assert.Equal(1, Rig.AcceptedTimes(id)));

        // --resend overrides the delivered-id store, and says so.
        var forced = await Rig.Tool.RunAsync("resend", "--shop", Shop, "--from", "-9d", "--to", "now", "--resend");

        Assert.True(forced.ExitCode == ReplayCli.Done, forced.ToString());
        Assert.Contains("--resend", forced.Error, StringComparison.Ordinal);
        Assert.Equal(5, forced.Count($"{Shop} checkout"));
        Assert.Equal(5, forced.Count("repeated_in_run"));
        var until = DateTime.UtcNow + ReplayRig.Patience;
        while (ids.Any(id => Rig.AcceptedTimes(id) < 2) && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }

        Assert.All(ids, id => Assert.Equal(2, Rig.AcceptedTimes(id)));
    }

    [Fact]
    public async Task Dead_letters_are_taken_by_reason_and_only_those()
    {
        Rig.Settings["Shops:0:Pinterest:ConversionToken"] = TestSettings.ConversionToken;
        Rig.Pinterest.Respond = (_, _) => (400, """{"code":1,"message":"Invalid parameters."}""");
        var ids = Enumerable.Range(1, 3).Select(i => $"rejected-{i}").ToList();
        var dispatcher = await Rig.StartDispatcherAsync();
        await Rig.ProduceEventsAsync(ids.Select(id => TestRecords.Checkout(id)));
        var letters = await Rig.ReadAsync<DeadLetter>(Rig.Topics.DeadLetters.Name, 3);
        Assert.All(letters, l => Assert.Equal("pinterest_rejected_400", l.Reason));
        Rig.Pinterest.Respond = (_, _) => 200;

        var otherReason = await Rig.Tool.RunAsync("resend", "--from", "-1h", "--topic", Rig.Topics.DeadLetters.Name, "--reason", "too_old");
        var rejected = await Rig.Tool.RunAsync("resend", "--from", "-1h", "--topic", Rig.Topics.DeadLetters.Name, "--reason", "pinterest_rejected_400", "pinterest_rejected_401");

        Assert.True(otherReason.ExitCode == ReplayCli.Done, otherReason.ToString());
        Assert.Equal(0, otherReason.Count("events sent to the dispatcher"));
        Assert.True(rejected.ExitCode == ReplayCli.Done, rejected.ToString());
        Assert.Equal(3, rejected.Count($"{Shop} checkout"));
        await Rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ids, ReplayRig.Patience);
        await Rig.StopAsync(dispatcher);
    }

    [Fact]
    public async Task A_run_killed_half_way_and_run_again_sends_each_missing_event_exactly_once()
    {
        var ids = Enumerable.Range(1, 40).Select(i => $"killed-{i}").ToList();
        await RunWithoutTokenAsync(ids.Select(id => TestRecords.Checkout(id)));
        await Rig.StartDispatcherAsync();
        var sentSoFar = 0L;
        using var halfWay = new SemaphoreSlim(0);

        using (var process = Rig.Tool.Start(
            line =>
            {
                if (Progress().Match(line) is { Success: true } match && long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 10)
                {
                    Interlocked.Exchange(ref sentSoFar, long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                    halfWay.Release();
                }
            },
            "resend", "--shop", Shop, "--from", "-1h", "--max-rate", "20", "--progress-every", "0.2"))
        {
            Assert.True(await halfWay.WaitAsync(TimeSpan.FromSeconds(60)), "the tool never reported 10 events sent");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.InRange(Interlocked.Read(ref sentSoFar), 10, 39);
        var rerun = await Rig.Tool.RunAsync("resend", "--shop", Shop, "--from", "-1h");

        Assert.True(rerun.ExitCode == ReplayCli.Done, rerun.ToString());
        await Rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ids, ReplayRig.Patience);
        await Task.Delay(1000);
        Assert.All(ids, id => Assert.Equal(1, Rig.AcceptedTimes(id)));
    }

    [Fact]
    public async Task Ids_on_the_changelog_one_record_each_or_a_request_per_record_are_both_skipped()
    {
        // A changelog of an upgraded dispatcher: records of one id written before issue 26, beside records
        // that carry a request's ids.
        string[] accepted = ["shape-old", "shape-request-1", "shape-request-2"];
        await Rig.ProduceEventsAsync([.. accepted.Select(id => TestRecords.Checkout(id)), TestRecords.Checkout("shape-never")]);
        var changelog = Rig.Topics.DispatcherDelivered.Name;
        var serdes = TestRecords.Serdes();
        var at = DateTime.UtcNow.AddMinutes(-5);
        var old = new DeliveredEvent { AcceptedAt = at, ShopDomain = Shop };
        var request = new DeliveredEvent { AcceptedAt = at, ShopDomain = Shop, EventIds = ["shape-request-1", "shape-request-2"] };
        await Rig.Kafka.ProduceAsync(changelog, [
            (RecordKeys.Delivered(TestSettings.AdAccountId, "shape-old"), await serdes.SerializeAsync(old, changelog)),
            (RecordKeys.DeliveredRequest(TestSettings.AdAccountId, "shape-request-1", at), await serdes.SerializeAsync(request, changelog)),
        ]);

        var result = await Rig.Tool.RunAsync("resend", "--shop", Shop, "--from", "-1d", "--dry-run");

        Assert.True(result.ExitCode == ReplayCli.Done, result.ToString());
        Assert.Equal(accepted.Length, result.Count("already_accepted"));
        Assert.Equal(1, result.Count($"{Shop} checkout"));
    }

    /// <summary>The shop's events go through a dispatcher that has no token for it: dry run, nothing accepted.</summary>
    private async Task RunWithoutTokenAsync(IEnumerable<PinterestEvent> events)
    {
        var list = events.ToList();
        var dispatcher = await Rig.StartDispatcherAsync();
        await Rig.ProduceEventsAsync(list);
        var deliveries = await Rig.ReadAsync<PinterestDelivery>(Rig.Topics.PinterestDeliveries.Name, list.Count);
        Assert.Equal(list.Count, deliveries.Count);
        await Rig.StopAsync(dispatcher);
        Rig.Settings["Shops:0:Pinterest:ConversionToken"] = TestSettings.ConversionToken;
    }

    [GeneratedRegex(@"^progress: read \d+(?:/\d+)? records, sent (\d+),")]
    private static partial Regex Progress();
}
