using Streaming.ServiceDefaults;

namespace Streaming.Operator.Tests;

/// <summary>
/// The operator's counters and delay histogram on its Prometheus endpoint, over real HTTP, for records
/// written to the test broker after the instance started: what Prometheus sums and takes rates of.
/// </summary>
/// <remarks>
/// An instance of its own on topics of its own: OpenTelemetry's exporter reads every meter of its name in
/// the process, so the fixture's instance, reading the same records, would count them into this scrape
/// too (and the page tests' figures must not see them).
/// </remarks>
[Collection(OnKafka.Name)]
public sealed class MetricsTests(OperatorFixture rig)
{
    private const string Shop = OperatorFixture.CountedShop;

    [Fact]
    public async Task The_instance_counts_the_records_written_after_it_started_and_none_of_those_it_read_back()
    {
        var topics = await rig.Kafka.CreateTopicsAsync(partitions: 1);
        using var writer = new FeedWriter(rig.Kafka.BootstrapServers, topics);
        var settings = rig.Settings();
        foreach (var (key, value) in topics.Settings())
        {
            settings[key] = value;
        }

        var index = OperatorFixture.Shops.Count + 1;
        settings[$"Shops:{index}:Domain"] = Shop;
        settings[$"Shops:{index}:WebhookSecrets:0"] = "secret";
        settings[$"Shops:{index}:Pinterest:AdAccountId"] = "999";
        // Written before the instance starts: read back into the page, not counted.
        await writer.WriteAsync([
            Fed.Delivery(Shop, "checkout", "processed", DateTimeOffset.UtcNow.AddMinutes(-5)),
            Fed.Outcome(Shop, "orders/create", "checkout", "mapped", DateTimeOffset.UtcNow.AddMinutes(-5), joined: true),
        ]);
        await using var host = await TestHost.StartAsync(settings, b => b.AddOperator(), app =>
        {
            app.MapOperator();
            app.MapHealthEndpoints();
        });
        await OperatorFixture.WaitUntilReadyAsync(host);
        Assert.Equal(1, (await OperatorFixture.FiguresAsync(host, Shop, "1h"))["events/checkout/accepted"]);

        // Whole seconds, as the shop's event times are: the delays are then exact.
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        await writer.WriteAsync([
            Fed.Delivery(Shop, "checkout", "processed", now, delay: TimeSpan.FromSeconds(3), keys: ["em", "ph"]),
            Fed.Delivery(Shop, "checkout", "processed", now, delay: TimeSpan.FromSeconds(40)),
            Fed.Delivery(Shop, "checkout", "failed", now, delay: TimeSpan.FromSeconds(4)),
            // A replay's delay is its age: no delay to record, but counted as sent.
            Fed.Delivery(Shop, "page_visit", "dry_run", now, delay: TimeSpan.FromDays(2), replay: "backfill-7"),
            Fed.Outcome(Shop, "orders/create", "checkout", "mapped", now, joined: true),
            Fed.Outcome(Shop, "orders/create", "checkout", "skipped", now, reason: "test_order"),
        ]);

        Dictionary<string, double> expected = new(StringComparer.Ordinal)
        {
            [Events("checkout", "received")] = 2,
            [Events("checkout", "excluded")] = 1,
            [Events("checkout", "sent")] = 3,
            [Events("checkout", "accepted")] = 2,
            [Events("checkout", "failed")] = 1,
            [Events("page_visit", "dry_run")] = 1,
            [$"pipeline_operator_events_by_reason_total{{event_name=\"checkout\",outcome=\"excluded\",reason=\"test_order\",shop=\"{Shop}\"}}"] = 1,
            [$"pipeline_operator_events_by_reason_total{{event_name=\"checkout\",outcome=\"failed\",reason=\"failed\",shop=\"{Shop}\"}}"] = 1,
            [Delay("count", null)] = 3,
            [Delay("sum", null)] = 47,
            [Delay("bucket", "2")] = 0,
            [Delay("bucket", "5")] = 2,
            [Delay("bucket", "30")] = 2,
            [Delay("bucket", "60")] = 3,
            [$"pipeline_operator_match_keys_total{{key=\"em\",shop=\"{Shop}\"}}"] = 4,
            [$"pipeline_operator_match_keys_total{{key=\"ph\",shop=\"{Shop}\"}}"] = 1,
            [$"pipeline_operator_web_orders_total{{click_id=\"false\",session=\"true\",shop=\"{Shop}\"}}"] = 1,
            [$"pipeline_operator_orders_total{{kind=\"received\",shop=\"{Shop}\"}}"] = 2,
            [$"pipeline_operator_orders_total{{kind=\"checkout_accepted\",shop=\"{Shop}\"}}"] = 2,
        };

        using var http = OperatorFixture.Client(host);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        Dictionary<string, double> scraped;
        while (true)
        {
            scraped = PrometheusScrape.OperatorSeries(await http.GetStringAsync("/metrics"));
            var missing = expected.Where(e => scraped.GetValueOrDefault(e.Key) != e.Value).Select(e => $"{e.Key} = {e.Value}, scraped {scraped.GetValueOrDefault(e.Key)}").ToList();
            if (missing.Count == 0)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < until, $"Not counted within 15 s:\n{string.Join('\n', missing)}\nScraped:\n{string.Join('\n', scraped.Keys)}");
            await Task.Delay(200);
        }

        Assert.DoesNotContain(scraped.Keys, k => k.StartsWith("pipeline_operator_delay_seconds_bucket", StringComparison.Ordinal) && k.Contains("page_visit", StringComparison.Ordinal));
        Assert.Equal(3, (await OperatorFixture.FiguresAsync(host, Shop, "1h"))["events/checkout/accepted"]);
        Assert.DoesNotContain(scraped.Keys, k => k.Contains("window=", StringComparison.Ordinal) || k.Contains("quantile=", StringComparison.Ordinal) || k.Contains("date=", StringComparison.Ordinal));
    }

    private static string Events(string eventName, string outcome) =>
        $"pipeline_operator_events_total{{event_name=\"{eventName}\",outcome=\"{outcome}\",shop=\"{Shop}\"}}";

    private static string Delay(string part, string? le) =>
        $"pipeline_operator_delay_seconds_{part}{{event_name=\"checkout\",{(le is null ? "" : $"le=\"{le}\",")}shop=\"{Shop}\"}}";
}
