using System.Globalization;
using Streaming.Contracts;
using Streaming.Operator.Counting;

namespace Streaming.Operator.Pages.Charts;

/// <summary>
/// A shop's last 7 days by hour, drawn: what came in, went out, was accepted and dead-lettered; how many
/// events carried each of the keys Pinterest matches best on; and how long events took from the shop to
/// Pinterest's answer. Each chart has a caption that says in words what it shows.
/// </summary>
public static class ShopCharts
{
    /// <summary>The keys charted, with the words for them: the ones that match a shopper to a Pinterest user most often.</summary>
    public static IReadOnlyList<(string Key, string Name)> Keys { get; } =
    [
        (MatchKeyNames.Email, "e-mail"), (MatchKeyNames.ClickId, "click id"), (MatchKeyNames.ClientIpAddress, "IP address"), (MatchKeyNames.ClientUserAgent, "user agent"),
    ];

    /// <summary>Where the delay histogram's bars part, in seconds, with the labels under the axis there.</summary>
    public static IReadOnlyList<(double Seconds, string Label)> DelayEdges { get; } =
    [
        (1, "1s"), (2, "2s"), (5, "5s"), (15, "15s"), (60, "1m"), (300, "5m"), (1800, "30m"), (7200, "2h"), (86_400, "1d"),
    ];

    private static readonly string[] DelayRanges = ["under 1 s", "1–2 s", "2–5 s", "5–15 s", "15–60 s", "1–5 min", "5–30 min", "30 min–2 h", "2–24 h", "a day or more"];

    public static void Write(Html html, string shop, IReadOnlyList<HourTally> hours)
    {
        html.Raw("<section class=\"charts\" aria-label=\"Charts\"><h2>By hour").Tag("small", "last 7 days, UTC").Raw("</h2>");
        html.Tag("p", "Each bar is an hour; point at a bar for its figures (a screen reader reads them as its title). Received and dead-lettered count by when the enricher decided, sent and accepted by when Pinterest answered.", ("class", "note"));

        html.Tag("h3", "Events").Raw("<div class=\"chart-grid\">");
        Activity(html, shop, hours, "received", "received", t => t.Received);
        Activity(html, shop, hours, "sent", "sent to Pinterest", t => t.Sent);
        Activity(html, shop, hours, "accepted", "accepted by Pinterest", t => t.Accepted);
        Activity(html, shop, hours, "dead_lettered", "dead-lettered", t => t.DeadLettered);
        html.Raw("</div>");

        html.Tag("h3", "Match-key coverage").Raw("<div class=\"chart-grid\">");
        foreach (var (key, name) in Keys)
        {
            Coverage(html, shop, hours, key, name);
        }

        html.Raw("</div>");

        html.Tag("h3", "Delay").Raw("<div class=\"chart-grid\">");
        Delay(html, shop, hours);
        html.Raw("</div></section>");
    }

    private static void Activity(Html html, string shop, IReadOnlyList<HourTally> hours, string series, string what, Func<Tally, long> count)
    {
        var total = hours.Sum(h => count(h.Counts));
        var busiest = hours.MaxBy(h => count(h.Counts));
        var summary = total == 0
            ? $"None {what} in the last 7 days."
            : $"{Format.Count(total)} {what} in 7 days; the busiest hour, {Hour(busiest!.Start)}, had {Format.Count(count(busiest.Counts))}.";
        var chart = new BarChart(
            $"chart-{series}",
            $"{shop}: events {what}, by hour",
            summary,
            series,
            "events per hour",
            "hour (UTC)",
            [.. hours.Select(h => count(h.Counts) is var n and > 0 ? new Bar(n, $"{Hour(h.Start)}: {Format.Count(n)} {what}") : null)],
            DayTicks(hours));
        Figure(html, chart, $"Events {what}", total, $"charts/{series}/total");
    }

    private static void Coverage(Html html, string shop, IReadOnlyList<HourTally> hours, string key, string name)
    {
        var sent = hours.Sum(h => h.Counts.Matchable);
        var carried = hours.Sum(h => h.Counts.WithKey.GetValueOrDefault(key));
        var shares = hours.Where(h => h.Counts.Matchable > 0).Select(h => (double)h.Counts.WithKey.GetValueOrDefault(key) / h.Counts.Matchable).ToList();
        var summary = sent == 0
            ? "No event sent to Pinterest in the last 7 days."
            : $"{Format.Share(carried, sent)} of the {Format.Count(sent)} events sent in 7 days carried the {name}; hour by hour from {Percent(shares.Min())} to {Percent(shares.Max())}.";
        var chart = new BarChart(
            $"chart-match-{key}",
            $"{shop}: share of events sent with the {name} ({key}), by hour",
            summary,
            "share",
            "% of events sent",
            "hour (UTC)",
            [.. hours.Select(h => h.Counts.Matchable == 0 ? null : new Bar(
                100.0 * h.Counts.WithKey.GetValueOrDefault(key) / h.Counts.Matchable,
                $"{Hour(h.Start)}: {Format.Share(h.Counts.WithKey.GetValueOrDefault(key), h.Counts.Matchable)} of {Format.Count(h.Counts.Matchable)} with the {name}"))],
            DayTicks(hours),
            Percent: true);
        html.Open("figure", ("class", "chart"));
        html.Raw("<figcaption>").Tag("strong", $"With the {name}").Raw(" <code>").Text(key).Raw("</code> ")
            .Figure($"charts/match/{key}/share", Format.Share(carried, sent), Format.Ratio(carried, sent), element: "span")
            .Tag("span", summary, ("class", "summary")).Raw("</figcaption>");
        html.Raw(SvgBarChart.Render(chart)).Close("figure");
    }

    private static void Delay(Html html, string shop, IReadOnlyList<HourTally> hours)
    {
        var week = new DelayHistogram();
        foreach (var hour in hours)
        {
            hour.Counts.Delay.AddTo(week);
        }

        var counts = week.Between([.. DelayEdges.Select(e => e.Seconds)]);
        var summary = week.Count == 0
            ? "No delay measured in the last 7 days."
            : $"Median {Format.Delay(week.Seconds(0.5))}, 99th percentile {Format.Delay(week.Seconds(0.99))}, of {Format.Count(week.Count)} events (replays left out).";
        var chart = new BarChart(
            "chart-delay",
            $"{shop}: delay from the event to Pinterest's answer",
            summary,
            "delay",
            "events",
            "delay, event to Pinterest's answer",
            [.. counts.Select((n, i) => n == 0 ? null : new Bar(n, $"{DelayRanges[i]}: {Format.Count(n)} events ({Format.Share(n, week.Count)})"))],
            [.. DelayEdges.Select((e, i) => new Tick(i + 1, e.Label))]);
        Figure(html, chart, "Delay, event to answer", week.Count, "charts/delay/total");
    }

    private static void Figure(Html html, BarChart chart, string title, long total, string figure)
    {
        html.Open("figure", ("class", "chart"));
        html.Raw("<figcaption>").Tag("strong", title).Raw(" ").Figure(figure, Format.Count(total), total, element: "span")
            .Tag("span", chart.Summary, ("class", "summary")).Raw("</figcaption>");
        html.Raw(SvgBarChart.Render(chart)).Close("figure");
    }

    // A mark at each midnight, and each day's name under its middle, where there is room for it.
    private static List<Tick> DayTicks(IReadOnlyList<HourTally> hours)
    {
        var ticks = new List<Tick>();
        for (var i = 0; i < hours.Count; i++)
        {
            if (hours[i].Start.Hour == 0)
            {
                ticks.Add(new Tick(i, ""));
            }
            else if (hours[i].Start.Hour == 12 && i >= 6 && i <= hours.Count - 7)
            {
                ticks.Add(new Tick(i, hours[i].Start.ToString("MMM d", CultureInfo.InvariantCulture), Mark: false));
            }
        }

        return ticks;
    }

    private static string Hour(DateTimeOffset start) => start.ToString("yyyy-MM-dd HH:00 'UTC'", CultureInfo.InvariantCulture);

    private static string Percent(double share) => $"{Math.Round(100 * share).ToString(CultureInfo.InvariantCulture)} %";
}
