using System.Globalization;
using System.Text.RegularExpressions;
using Streaming.Operator.Tests.Rig;

namespace Streaming.Operator.Tests;

/// <summary>
/// The figures on the page, over real HTTP from a real Kestrel, and the same figures as gauges on the
/// Prometheus endpoint, for records fed into the test broker: a table of cases, a restart, a live record.
/// </summary>
[Collection(OnKafka.Name)]
public sealed partial class FiguresTests(OperatorFixture rig)
{
    // The page's delays come from bins 2 % wide.
    private const double DelayTolerance = 0.02;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in FigureCases.All)
        {
            foreach (var window in new[] { "1h", "24h", "7d" })
            {
                data.Add(c.Name, window);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_page_shows_what_the_records_fed_in_add_up_to(string name, string window)
    {
        var figureCase = FigureCases.All.Single(c => c.Name == name);
        var figures = await OperatorFixture.FiguresAsync(rig.Host, figureCase.Shop, window);

        var expected = figureCase.Expected(rig.Now).Where(e => e.Window is null || e.Window == window).ToList();
        Assert.NotEmpty(expected);
        foreach (var e in expected)
        {
            Assert.True(figures.TryGetValue(e.Figure, out var shown), $"{figureCase.Shop} ({window}) has no figure {e.Figure}.");
            AssertClose(e, shown, $"{figureCase.Shop} ({window}) {e.Figure}");
        }
    }

    [Fact]
    public async Task The_gauges_on_the_Prometheus_endpoint_say_what_the_page_says()
    {
        using var http = OperatorFixture.Client(rig.Host);
        var scraped = Scrape(await http.GetStringAsync("/metrics"));

        var compared = 0;
        foreach (var figureCase in FigureCases.All)
        {
            foreach (var window in new[] { "1h", "24h", "7d" })
            {
                foreach (var e in figureCase.Expected(rig.Now).Where(e => e.Window is null || e.Window == window))
                {
                    if (Series(figureCase.Shop, window, e.Figure) is not { } series)
                    {
                        continue;
                    }

                    compared++;
                    double? value = scraped.TryGetValue(series, out var v) ? v : null;
                    // A count of zero may be left out of the scrape; a share or a delay that is not there has no value.
                    AssertClose(e, value ?? (e.Value == 0 && !series.StartsWith("pipeline_operator_match", StringComparison.Ordinal) && !series.Contains("share", StringComparison.Ordinal) ? 0 : null), series);
                }
            }
        }

        Assert.True(compared > 100, $"Only {compared} figures have a gauge to compare with.");
    }

    [Fact]
    public async Task A_new_instance_rebuilds_the_same_figures_from_the_topics()
    {
        await using var second = await rig.StartOperatorAsync();
        await OperatorFixture.WaitUntilReadyAsync(second);

        foreach (var shop in FigureCases.All.Select(c => c.Shop).Append(Showcase.Shop))
        {
            foreach (var window in new[] { "1h", "24h", "7d" })
            {
                var before = await OperatorFixture.FiguresAsync(rig.Host, shop, window);
                var after = await OperatorFixture.FiguresAsync(second, shop, window);
                Assert.Equal(before.OrderBy(f => f.Key, StringComparer.Ordinal), after.OrderBy(f => f.Key, StringComparer.Ordinal));
            }
        }
    }

    [Fact]
    public async Task A_record_written_after_the_rebuild_shows_up_live()
    {
        var before = await OperatorFixture.FiguresAsync(rig.Host, OperatorFixture.LiveShop, "1h");
        Assert.False(before.ContainsKey("events/page_visit/accepted"));

        await rig.Writer.WriteAsync([Fed.Delivery(OperatorFixture.LiveShop, "page_visit", "processed", DateTimeOffset.UtcNow)]);

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var now = await OperatorFixture.FiguresAsync(rig.Host, OperatorFixture.LiveShop, "1h");
            if (now.GetValueOrDefault("events/page_visit/accepted") == 1)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < until, "The live record did not reach the page within 15 s.");
            await Task.Delay(100);
        }
    }

    private static void AssertClose(Expect expected, double? shown, string what)
    {
        if (expected.Value is not { } value)
        {
            Assert.True(shown is null, $"{what}: expected no value, the page shows {shown}.");
            return;
        }

        Assert.True(shown is not null, $"{what}: expected {value}, there is none.");
        var tolerance = expected.Figure.Contains("delay", StringComparison.Ordinal) ? value * DelayTolerance : 1e-9;
        Assert.True(Math.Abs(shown.Value - value) <= tolerance, $"{what}: expected {value}, got {shown}.");
    }

    /// <summary>The Prometheus series a page figure is exported as, or null for the figures only the page has.</summary>
    private static string? Series(string shop, string window, string figure)
    {
        var parts = figure.Split('/');
        return parts switch
        {
            ["events", var e, "delay_p50" or "delay_p99"] when e != "all" =>
                $"pipeline_operator_delay_seconds{{event_name=\"{e}\",quantile=\"{(parts[2] == "delay_p50" ? "0.5" : "0.99")}\",shop=\"{shop}\",window=\"{window}\"}}",
            ["events", var e, var outcome] when e != "all" && !outcome.StartsWith("delay", StringComparison.Ordinal) =>
                $"pipeline_operator_events{{event_name=\"{e}\",outcome=\"{outcome}\",shop=\"{shop}\",window=\"{window}\"}}",
            ["reasons", var kind, var reason, var e] =>
                $"pipeline_operator_events_by_reason{{event_name=\"{e}\",outcome=\"{kind}\",reason=\"{reason}\",shop=\"{shop}\",window=\"{window}\"}}",
            ["match", var key, "all"] => $"pipeline_operator_match_key_share{{key=\"{key}\",shop=\"{shop}\",window=\"{window}\"}}",
            ["web_orders", "joined_share"] => $"pipeline_operator_web_orders_session_share{{shop=\"{shop}\",window=\"{window}\"}}",
            ["web_orders", "click_id_share"] => $"pipeline_operator_web_orders_click_id_share{{shop=\"{shop}\",window=\"{window}\"}}",
            ["days", var day, "orders"] => $"pipeline_operator_orders{{date=\"{day}\",kind=\"received\",shop=\"{shop}\"}}",
            ["days", var day, "checkouts_accepted"] => $"pipeline_operator_orders{{date=\"{day}\",kind=\"checkout_accepted\",shop=\"{shop}\"}}",
            _ => null,
        };
    }

    /// <summary>Series to value, the labels sorted by name (the exporter's order is its own).</summary>
    private static Dictionary<string, double> Scrape(string text)
    {
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match match in Sample().Matches(text))
        {
            var labels = Label().Matches(match.Groups["labels"].Value).Select(l => $"{l.Groups["name"].Value}=\"{l.Groups["value"].Value}\"")
                .Where(l => !l.StartsWith("otel_scope", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
            series[$"{match.Groups["name"].Value}{{{string.Join(",", labels)}}}"] = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return series;
    }

    [GeneratedRegex(@"^(?<name>pipeline_operator_[a-z_]+)\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<name>[a-z_]+)=""(?<value>[^""]*)""")]
    private static partial Regex Label();
}
