namespace Streaming.Operator.Pages.Charts;

/// <summary>One bar: its value, and the words a pointer or a screen reader gets for it (its <c>&lt;title&gt;</c>).</summary>
public sealed record Bar(double Value, string Title);

/// <summary>
/// A label under the x axis at <paramref name="At"/> slots from the left (a slot is one bar's place), with
/// a mark on the axis there unless <paramref name="Mark"/> is false (a label for a span, not a point).
/// </summary>
public sealed record Tick(double At, string Label, bool Mark = true);

/// <summary>
/// What a bar chart shows, before it is drawn: the bars in order (null where a slot has nothing to tell,
/// as an hour with no event to take a share of), the axes' words, and the series' colour class.
/// </summary>
/// <param name="Id">Unique on the page; names the chart's title and description for assistive technology.</param>
/// <param name="Series">The colour: the bars get the class <c>bar-{Series}</c> from the page's stylesheet.</param>
/// <param name="Percent">The y axis runs from 0 to 100 %, whatever the bars.</param>
public sealed record BarChart(
    string Id,
    string Title,
    string Summary,
    string Series,
    string YLabel,
    string XLabel,
    IReadOnlyList<Bar?> Bars,
    IReadOnlyList<Tick> Ticks,
    bool Percent = false);
