using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Streaming.Operator.Pages.Charts;

/// <summary>
/// Draws a <see cref="BarChart"/> as inline SVG on the server: no script, no style attribute, nothing
/// fetched, so the page's CSP (<c>default-src 'none'</c>) holds. Colours come from classes in the page's
/// stylesheet, so that light and dark mode both apply; the <c>viewBox</c> scales the chart to its column,
/// down to a phone's width. Every text is encoded, and the output is well-formed XML as well as HTML.
/// </summary>
public static class SvgBarChart
{
    public const double Width = 400;
    public const double Height = 190;
    public const double Left = 42;
    public const double Right = 8;
    public const double Top = 24;
    public const double Bottom = 38;

    private static readonly double[] Steps = [1, 2, 2.5, 3, 4, 5, 6, 8, 10];

    public static double PlotWidth => Width - Left - Right;

    public static double PlotHeight => Height - Top - Bottom;

    public static string Render(BarChart chart)
    {
        var values = chart.Bars.OfType<Bar>().Select(b => b.Value).ToList();
        var max = chart.Percent ? 100 : NiceCeiling(values.Count == 0 ? 0 : values.Max());
        var svg = new StringBuilder(1024 + (chart.Bars.Count * 120));
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\" ")
            .Append(CultureInfo.InvariantCulture, $"aria-labelledby=\"{Encode(chart.Id)}-title {Encode(chart.Id)}-desc\" data-chart=\"{Encode(chart.Id)}\" data-max=\"{N(max)}\">")
            .Append(CultureInfo.InvariantCulture, $"<title id=\"{Encode(chart.Id)}-title\">{Encode(chart.Title)}</title>")
            .Append(CultureInfo.InvariantCulture, $"<desc id=\"{Encode(chart.Id)}-desc\">{Encode(chart.Summary)}</desc>");

        // The y axis: its words above the plot, gridlines at nought, half way and the top.
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis-label\" x=\"{N(Left)}\" y=\"{N(Top - 10)}\">{Encode(chart.YLabel)}</text>");
        foreach (var level in Levels(max))
        {
            var y = Top + PlotHeight - (level / max * PlotHeight);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{N(Left)}\" x2=\"{N(Width - Right)}\" y1=\"{N(y)}\" y2=\"{N(y)}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{N(Left - 5)}\" y=\"{N(y + 4)}\" text-anchor=\"end\">{Encode(YTick(level, chart.Percent))}</text>");
        }

        var slot = chart.Bars.Count == 0 ? PlotWidth : PlotWidth / chart.Bars.Count;
        var barWidth = slot * (chart.Bars.Count > 48 ? 0.8 : 0.7);
        for (var i = 0; i < chart.Bars.Count; i++)
        {
            if (chart.Bars[i] is not { Value: > 0 } bar)
            {
                continue;
            }

            var height = Math.Min(bar.Value, max) / max * PlotHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar bar-{Encode(chart.Series)}\" x=\"{N(Left + (i * slot) + ((slot - barWidth) / 2))}\" y=\"{N(Top + PlotHeight - height)}\" ")
                .Append(CultureInfo.InvariantCulture, $"width=\"{N(barWidth)}\" height=\"{N(height)}\" data-slot=\"{i}\" data-value=\"{N(bar.Value)}\"><title>{Encode(bar.Title)}</title></rect>");
        }

        if (values.Count == 0 || values.All(v => v <= 0))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"empty\" x=\"{N(Left + (PlotWidth / 2))}\" y=\"{N(Top + (PlotHeight / 2))}\" text-anchor=\"middle\">Nothing to show</text>");
        }

        // The x axis: its baseline, the ticks' marks and labels, and its words below them.
        var baseline = Top + PlotHeight;
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{N(Left)}\" x2=\"{N(Width - Right)}\" y1=\"{N(baseline)}\" y2=\"{N(baseline)}\"/>");
        foreach (var tick in chart.Ticks)
        {
            var x = Left + (tick.At * slot);
            if (tick.Mark)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{N(x)}\" x2=\"{N(x)}\" y1=\"{N(baseline)}\" y2=\"{N(baseline + 4)}\"/>");
            }

            if (tick.Label.Length > 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{N(x)}\" y=\"{N(baseline + 15)}\" text-anchor=\"middle\">{Encode(tick.Label)}</text>");
            }
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis-label\" x=\"{N(Width - Right)}\" y=\"{N(Height - 4)}\" text-anchor=\"end\">{Encode(chart.XLabel)}</text>");
        return svg.Append("</svg>").ToString();
    }

    /// <summary>The top of the y axis: the smallest of 1, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that holds the highest bar.</summary>
    public static double NiceCeiling(double highest)
    {
        if (highest <= 1)
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(highest)));
        foreach (var step in Steps)
        {
            if (step * power >= highest)
            {
                return step * power;
            }
        }

        return 10 * power;
    }

    // Half way only where it is a whole number of events: a count axis reading "0.5" would be nonsense.
    private static IEnumerable<double> Levels(double max) => max / 2 % 1 == 0 ? [0, max / 2, max] : [0, max];

    private static string YTick(double level, bool percent) =>
        percent ? $"{N(level)} %"
        : level >= 10_000 ? $"{N(level / 1000)}k"
        : Format.Count((long)level);

    private static string N(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
