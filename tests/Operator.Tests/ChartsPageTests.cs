using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Streaming.Operator.Tests;

/// <summary>The shop page's charts over real HTTP, for the showcase week fed into the test broker.</summary>
[Collection(OnKafka.Name)]
public sealed partial class ChartsPageTests(OperatorFixture rig)
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public async Task The_shop_page_draws_its_week_by_hour_as_inline_SVG_under_the_strict_CSP()
    {
        using var http = OperatorFixture.Client(rig.Host);
        using var response = await http.GetAsync($"/operator/shops/{Showcase.Shop}?window=7d");
        var html = await response.Content.ReadAsStringAsync();
        var charts = Charts().Matches(html).Select(m => XElement.Parse(m.Value)).ToDictionary(s => (string)s.Attribute("data-chart")!);
        var figures = PageFigures.Read(html);

        response.EnsureSuccessStatusCode();
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(9, charts.Count);
        // Nothing drawn fetches anything: the only address in a chart is SVG's namespace.
        Assert.All(charts.Values, c => Assert.Equal(["http://www.w3.org/2000/svg"], Urls().Matches(c.ToString()).Select(m => m.Value).Distinct()));

        // The charts' hours are the 7-day window's: they add up to the table's figures above them.
        var records = Showcase.Records(rig.Now).Select(r => r.Value).ToList();
        Assert.Equal(records.Count(r => r is EnrichmentOutcome), Sum(charts["chart-received"]));
        Assert.Equal(records.Count(r => r is PinterestDelivery { Status: "processed" }), Sum(charts["chart-accepted"]));
        foreach (var (chart, figure) in new[] { ("received", "received"), ("sent", "sent"), ("accepted", "accepted"), ("dead_lettered", "dead_lettered") })
        {
            Assert.Equal(figures[$"events/all/{figure}"], Sum(charts[$"chart-{chart}"]));
            Assert.Equal(figures[$"events/all/{figure}"], figures[$"charts/{chart}/total"]);
        }

        foreach (var key in new[] { "em", "click_id", "client_ip_address", "client_user_agent" })
        {
            Assert.Equal(figures[$"match/{key}/all"], figures[$"charts/match/{key}/share"]);
            Assert.All(Values(charts[$"chart-match-{key}"]), v => Assert.InRange(v, 0, 100));
        }

        // Every event sent has a delay here: none is a replay, all have their event time.
        Assert.Equal(records.Count(r => r is PinterestDelivery { Status: "processed" or "failed" }), Sum(charts["chart-delay"]));
        Assert.All(charts.Values.SelectMany(c => c.Elements(Svg + "rect")), r => Assert.False(string.IsNullOrWhiteSpace(r.Element(Svg + "title")?.Value)));
    }

    [Fact]
    public async Task The_charts_cover_the_7_days_whatever_window_the_tables_show()
    {
        using var http = OperatorFixture.Client(rig.Host);
        var hour = PageFigures.Read(await http.GetStringAsync($"/operator/shops/{Showcase.Shop}?window=1h"));
        var week = PageFigures.Read(await http.GetStringAsync($"/operator/shops/{Showcase.Shop}?window=7d"));

        Assert.Equal(week["charts/received/total"], hour["charts/received/total"]);
        Assert.True(hour["charts/received/total"] > hour.GetValueOrDefault("events/all/received", 0));
    }

    private static double Sum(XElement svg) => Values(svg).Sum();

    private static IEnumerable<double> Values(XElement svg) => svg.Elements(Svg + "rect").Select(r => double.Parse(r.Attribute("data-value")!.Value, CultureInfo.InvariantCulture));

    [GeneratedRegex("<svg .*?</svg>", RegexOptions.Singleline)]
    private static partial Regex Charts();

    [GeneratedRegex("https?://[^\"' ]+")]
    private static partial Regex Urls();
}
