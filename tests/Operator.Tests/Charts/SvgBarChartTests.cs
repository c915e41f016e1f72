using System.Xml.Linq;
using Streaming.Operator.Pages.Charts;

namespace Streaming.Operator.Tests.Charts;

/// <summary>The charts' drawing, read back as XML: what the bars' sizes say, and that no text escapes its element.</summary>
public sealed class SvgBarChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Bars_stand_on_the_axis_with_heights_in_proportion_to_their_counts()
    {
        var svg = Parse(Chart([10, 20, 0, 35, 5]));

        var bars = Bars(svg);
        Assert.Equal([0, 1, 3, 4], bars.Select(b => (int)b.Attribute("data-slot")!));
        Assert.Equal("40", svg.Attribute("data-max")!.Value);
        foreach (var bar in bars)
        {
            var value = double.Parse(bar.Attribute("data-value")!.Value, CultureInfo.InvariantCulture);
            Assert.Equal(value / 40 * SvgBarChart.PlotHeight, Number(bar, "height"), 1);
            Assert.Equal(SvgBarChart.Top + SvgBarChart.PlotHeight, Number(bar, "y") + Number(bar, "height"), 1);
        }

        // Left to right in slot order, inside the plot.
        var xs = bars.Select(b => Number(b, "x")).ToList();
        Assert.Equal(xs.Order(), xs);
        Assert.InRange(xs[0], SvgBarChart.Left, SvgBarChart.Left + SvgBarChart.PlotWidth);
        Assert.InRange(xs[^1] + Number(bars[^1], "width"), SvgBarChart.Left, SvgBarChart.Width - SvgBarChart.Right);
    }

    [Fact]
    public void Every_bar_has_a_title_that_tells_its_slot_and_count()
    {
        var svg = Parse(Chart([3, 7]));

        Assert.Equal(["slot 0: 3", "slot 1: 7"], Bars(svg).Select(b => b.Element(Svg + "title")!.Value));
        Assert.Equal("A chart", svg.Element(Svg + "title")!.Value);
        Assert.Equal("Its summary", svg.Element(Svg + "desc")!.Value);
        Assert.Equal("c1-title c1-desc", svg.Attribute("aria-labelledby")!.Value);
    }

    [Fact]
    public void A_chart_without_data_draws_its_axes_and_says_there_is_nothing_to_show()
    {
        foreach (var empty in new[] { Chart([]), Chart([0, 0, 0]), Chart([null, null]) })
        {
            var svg = Parse(empty);

            Assert.Empty(Bars(svg));
            Assert.Equal("1", svg.Attribute("data-max")!.Value);
            Assert.Contains(svg.Elements(Svg + "text"), t => t.Value == "Nothing to show");
            Assert.Contains(svg.Elements(Svg + "line"), l => (string?)l.Attribute("class") == "axis");
        }
    }

    [Fact]
    public void A_spike_sets_the_scale_and_the_quiet_hours_stay_in_proportion_below_it()
    {
        double?[] values = [.. Enumerable.Repeat<double?>(2, 167), 1000];

        var svg = Parse(Chart(values));

        var bars = Bars(svg);
        Assert.Equal(168, bars.Count);
        Assert.Equal("1000", svg.Attribute("data-max")!.Value);
        Assert.Equal(SvgBarChart.PlotHeight, Number(bars[^1], "height"), 1);
        Assert.All(bars.SkipLast(1), b => Assert.Equal(2.0 / 1000 * SvgBarChart.PlotHeight, Number(b, "height"), 2));
        // The top of the axis is labelled with the spike's scale.
        Assert.Contains(svg.Elements(Svg + "text"), t => t.Value == "1,000");
    }

    [Fact]
    public void A_share_chart_runs_to_a_hundred_percent_whatever_its_bars()
    {
        var svg = Parse(Chart([25, 50], percent: true));

        Assert.Equal("100", svg.Attribute("data-max")!.Value);
        Assert.Equal(0.5 * SvgBarChart.PlotHeight, Number(Bars(svg)[1], "height"), 1);
        Assert.Contains(svg.Elements(Svg + "text"), t => t.Value == "100 %");
    }

    [Fact]
    public void Text_from_a_shop_is_encoded_and_reads_back_unchanged()
    {
        const string Hostile = "<script>alert(\"x\")</script> & 'q' ]]> </svg><img src=x onerror=alert(1)>";
        var chart = new BarChart("c1", Hostile, Hostile, "received\"><script>", Hostile, Hostile, [new Bar(4, Hostile)], [new Tick(0, Hostile)]);

        var markup = SvgBarChart.Render(chart);
        var svg = Parse(markup);

        Assert.DoesNotContain("<script", markup, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", markup, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Hostile, svg.Element(Svg + "title")!.Value);
        Assert.Equal(Hostile, svg.Element(Svg + "desc")!.Value);
        Assert.Equal(Hostile, Bars(svg).Single().Element(Svg + "title")!.Value);
        // The y axis's words, the x axis's, and the tick.
        Assert.Equal(3, svg.Elements(Svg + "text").Count(t => t.Value == Hostile));
        Assert.Equal("bar bar-received\"><script>", Bars(svg).Single().Attribute("class")!.Value);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(7, 8)]
    [InlineData(11, 20)]
    [InlineData(21, 25)]
    [InlineData(56, 60)]
    [InlineData(1001, 2000)]
    public void The_axis_tops_out_at_a_round_number_at_or_above_the_highest_bar(double highest, double top)
    {
        Assert.Equal(top, SvgBarChart.NiceCeiling(highest));
    }

    private static BarChart Chart(double?[] values, bool percent = false) => new(
        "c1",
        "A chart",
        "Its summary",
        "received",
        "events per hour",
        "hour (UTC)",
        [.. values.Select((v, i) => v is { } n ? new Bar(n, $"slot {i}: {n.ToString(CultureInfo.InvariantCulture)}") : null)],
        [new Tick(0, "Dec 1")],
        percent);

    private static XElement Parse(string markup) => XElement.Parse(markup);

    private static XElement Parse(BarChart chart) => Parse(SvgBarChart.Render(chart));

    private static List<XElement> Bars(XElement svg) => [.. svg.Elements(Svg + "rect")];

    private static double Number(XElement element, string attribute) => double.Parse(element.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);
}
