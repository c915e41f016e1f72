using Streaming.Contracts;
using Streaming.Operator.Counting;
using Streaming.Operator.Pages.Charts;
using M = Streaming.Operator.Metrics.OperatorMetrics.Outcomes;

namespace Streaming.Operator.Pages;

/// <summary>
/// One shop's page: its events over a window, why some were left out, how well they match, the days
/// a merchant checks, and its latest deliveries and dead letters. Hashed values and key names only.
/// </summary>
public static class ShopPage
{
    /// <param name="hours">The shop's last 7 days by hour, for the charts, whatever the window of the tables.</param>
    public static string Render(ShopFigures figures, IReadOnlyList<HourTally> hours, PageContext context)
    {
        var window = figures.Window;
        var html = Layout.Start($"{figures.Shop} · operator view", "Pinterest delivery", figures.Shop);
        Layout.Windows(html, window, context.ShopPath(figures.Shop));
        html.Tag("span", $"as of {Format.Time(figures.AsOf)} UTC", ("class", "where"));
        // What the dispatcher did last, not what this process was configured with: the operator view is
        // given no conversion token, and its settings could differ from the dispatcher's.
        if (figures.Deliveries.MaxBy(d => d.AnsweredAt) is { } latest)
        {
            if (latest.TestMode)
            {
                html.Tag("span", "test mode: Pinterest validates, records nothing", ("class", "badge flag"));
            }

            if (latest.Status == DeliveryStatus.DryRun)
            {
                html.Tag("span", "dry run: no conversion token", ("class", "badge flag"));
            }
        }

        html.Tag("a", "all shops", ("href", context.OverviewPath));
        html.Raw("</header><main>");
        Layout.Rebuilding(html, context);

        Events(html, figures);
        ShopCharts.Write(html, figures.Shop, hours);
        Reasons(html, figures);
        MatchQuality(html, figures);
        Days(html, figures);
        Deliveries(html, figures);
        DeadLetters(html, figures);
        return Layout.End(html, context.Footer);
    }

    private static void Events(Html html, ShopFigures figures)
    {
        html.Raw("<h2>Events").Tag("small", figures.Window.Title).Raw("</h2>");
        html.Tag("p", "Received: what the enricher decided on (written, excluded by a rule, or dead-lettered). Sent: what went to Pinterest; accepted: what Pinterest processed. "
            + "Failed events are dead-lettered too, as are events too old to send. Delay: from the event in the shop to Pinterest's answer.", ("class", "note"));
        html.Raw("<table><thead><tr><th>Event</th>");
        foreach (var column in new[] { "Received", "Excluded", "Dead-lettered", "Sent", "Accepted", "Failed", "Dry run", "Already accepted", "Delay p50", "Delay p99" })
        {
            html.Tag("th", column, ("class", "n"));
        }

        html.Raw("</tr></thead><tbody>");
        foreach (var e in figures.Events)
        {
            EventRow(html, e.EventName, e.Counts, total: false);
        }

        if (figures.Events.Count == 0)
        {
            html.Raw("<tr><td colspan=\"11\">").Text($"No events in the {figures.Window.Title}.").Raw("</td></tr>");
        }

        EventRow(html, "all", figures.Total, total: true);
        html.Raw("</tbody></table>");
    }

    private static void EventRow(Html html, string name, Tally c, bool total)
    {
        html.Open("tr", ("class", total ? "total" : null)).Tag("td", total ? "All events" : name);
        html.Counts($"events/{name}", c)
            .Count($"events/{name}/{M.Duplicate}", c.Status(DeliveryStatus.Duplicate));
        var p50 = c.Delay.Seconds(0.5);
        var p99 = c.Delay.Seconds(0.99);
        html.Figure($"events/{name}/delay_p50", Format.Delay(p50), p50)
            .Figure($"events/{name}/delay_p99", Format.Delay(p99), p99)
            .Close("tr");
    }

    private static void Reasons(Html html, ShopFigures figures)
    {
        var rows = figures.Events
            .SelectMany(e => new (string Kind, string Title, Dictionary<string, long> By)[] { (M.Excluded, "excluded", e.Counts.ExcludedBy), (M.Failed, "failed", e.Counts.FailedBy), (M.DeadLettered, "dead-lettered", e.Counts.DeadLetteredBy) }
                .SelectMany(k => k.By.Select(r => (k.Kind, k.Title, Reason: r.Key, Event: e.EventName, Count: r.Value))))
            .OrderBy(r => r.Kind, StringComparer.Ordinal).ThenByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal)
            .ToList();
        html.Raw("<h2>Left out, by reason").Tag("small", figures.Window.Title).Raw("</h2>");
        if (rows.Count == 0)
        {
            html.Tag("p", "Nothing was excluded, failed or dead-lettered.", ("class", "note"));
            return;
        }

        html.Raw("<table><thead><tr><th>What</th><th>Reason</th><th>Event</th><th class=\"n\">Events</th></tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Raw("<tr>").Tag("td", row.Title).Raw("<td><code>").Text(row.Reason).Raw("</code></td>").Tag("td", row.Event)
                .Count($"reasons/{row.Kind}/{row.Reason}/{row.Event}", row.Count).Raw("</tr>");
        }

        html.Raw("</tbody></table>");
    }

    private static void MatchQuality(Html html, ShopFigures figures)
    {
        var sent = figures.Events.Where(e => e.Counts.Matchable > 0).ToList();
        html.Raw("<h2>Match quality").Tag("small", figures.Window.Title).Raw("</h2>");
        html.Tag("p", $"Share of the {Format.Count(figures.Total.Matchable)} event(s) sent to Pinterest (or logged in a dry run) that carried each match key. "
            + "Keys are hashed before they leave the enricher; the delivery log names them only.", ("class", "note"));
        html.Raw("<table><thead><tr><th>Key</th>").Tag("th", "All events", ("class", "n"));
        foreach (var e in sent)
        {
            html.Tag("th", e.EventName, ("class", "n"));
        }

        html.Raw("</tr></thead><tbody>");
        foreach (var key in MatchKeyNames.All)
        {
            html.Raw("<tr><td><code>").Text(key).Raw("</code></td>");
            Share(html, $"match/{key}/all", figures.Total.WithKey.GetValueOrDefault(key), figures.Total.Matchable);
            foreach (var e in sent)
            {
                Share(html, $"match/{key}/{e.EventName}", e.Counts.WithKey.GetValueOrDefault(key), e.Counts.Matchable);
            }

            html.Raw("</tr>");
        }

        html.Raw("</tbody></table><table class=\"narrow\"><thead><tr><th>Web orders</th><th class=\"n\">Orders</th><th class=\"n\">Share</th></tr></thead><tbody>");
        var t = figures.Total;
        html.Raw("<tr><td>Checkout events written for web orders</td>").Count("web_orders/count", t.WebOrders).Tag("td", "", ("class", "n")).Raw("</tr>");
        html.Raw("<tr><td>… joined to a storefront session</td>").Count("web_orders/joined", t.JoinedToSession);
        Share(html, "web_orders/joined_share", t.JoinedToSession, t.WebOrders);
        html.Raw("</tr><tr><td>… with a Pinterest click id</td>").Count("web_orders/click_id", t.WithClickId);
        Share(html, "web_orders/click_id_share", t.WithClickId, t.WebOrders);
        html.Raw("</tr></tbody></table>");
    }

    private static void Share(Html html, string figure, long part, long whole) =>
        html.Figure(figure, Format.Share(part, whole), Format.Ratio(part, whole), whole == 0 ? null : $"{Format.Count(part)} of {Format.Count(whole)}");

    private static void Days(Html html, ShopFigures figures)
    {
        html.Raw("<h2>Orders and checkouts per day").Tag("small", "UTC, by when the order was placed").Raw("</h2>");
        html.Tag("p", "Orders Shopify sent against the checkout events Pinterest accepted: the figures to hold next to Shopify's order list and Pinterest's conversions.", ("class", "note"));
        html.Raw("<table><thead><tr><th>Day</th>");
        foreach (var column in new[] { "Orders from Shopify", "Excluded", "Dead-lettered", "Checkouts sent", "Accepted by Pinterest", "Dry run", "Accepted of orders" })
        {
            html.Tag("th", column, ("class", "n"));
        }

        html.Raw("</tr></thead><tbody>");
        foreach (var day in figures.Days)
        {
            var d = Format.Day(day.Day);
            html.Raw("<tr>").Tag("td", d, ("class", "t"))
                .Count($"days/{d}/orders", day.Orders)
                .Count($"days/{d}/excluded", day.OrdersExcluded)
                .Count($"days/{d}/dead_lettered", day.OrdersDeadLettered)
                .Count($"days/{d}/checkouts_sent", day.CheckoutsSent)
                .Count($"days/{d}/checkouts_accepted", day.CheckoutsAccepted)
                .Count($"days/{d}/dry_run", day.CheckoutsDryRun);
            Share(html, $"days/{d}/accepted_share", day.CheckoutsAccepted, day.Orders);
            html.Raw("</tr>");
        }

        html.Raw("</tbody></table>");
    }

    private static void Deliveries(Html html, ShopFigures figures)
    {
        html.Raw("<h2>Latest deliveries").Tag("small", $"the {ShopCounts.RecentCapacity} newest, from pinterest.deliveries").Raw("</h2>");
        if (figures.Deliveries.Count == 0)
        {
            html.Tag("p", "No delivery in the last 7 days.", ("class", "note"));
            return;
        }

        html.Raw("<table class=\"lines\"><thead><tr><th>Answered (UTC)</th><th>Event</th><th>Event id</th><th>Status</th><th class=\"n\">Attempts</th><th class=\"n\">Latency</th><th>Match keys</th><th>Pinterest's message</th></tr></thead><tbody>");
        foreach (var line in figures.Deliveries)
        {
            html.Open("tr", ("data-delivery", line.EventId)).Tag("td", Format.Time(line.AnsweredAt), ("class", "t")).Tag("td", line.EventName)
                .Raw("<td><code>").Text(line.EventId).Raw("</code></td><td>")
                .Tag("span", line.Status, ("class", $"badge s-{line.Status}"));
            if (line.Replay is not null)
            {
                html.Raw(" ").Tag("span", "replay", ("class", "badge"), ("title", line.Replay));
            }

            html.Raw("</td>").Tag("td", line.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), ("class", "n"))
                .Tag("td", Format.Milliseconds(line.LatencyMs), ("class", "n"))
                .Raw("<td class=\"keys\"><code>").Text(string.Join(" ", line.MatchKeys)).Raw("</code></td>")
                .Tag("td", line.DeadLetterReason is { } reason ? $"{reason}: {line.Message}" : line.Message, ("class", "msg"))
                .Close("tr");
        }

        html.Raw("</tbody></table>");
    }

    private static void DeadLetters(Html html, ShopFigures figures)
    {
        html.Raw("<h2>Latest dead letters").Tag("small", $"the {ShopCounts.RecentCapacity} newest; the records themselves stay in the topic").Raw("</h2>");
        if (figures.DeadLetters.Count == 0)
        {
            html.Tag("p", "No dead letter in the last 7 days.", ("class", "note"));
            return;
        }

        html.Raw("<table class=\"lines\"><thead><tr><th>Failed at (UTC)</th><th>Service</th><th>Reason</th><th>Error</th><th>Source</th></tr></thead><tbody>");
        foreach (var line in figures.DeadLetters)
        {
            var source = $"{line.SourceTopic} [{line.SourcePartition}] @{line.SourceOffset}";
            html.Open("tr", ("data-dead-letter", source)).Tag("td", Format.Time(line.FailedAt), ("class", "t")).Tag("td", line.Service)
                .Raw("<td><code>").Text(line.Reason).Raw("</code></td>")
                .Tag("td", line.Error, ("class", "msg"))
                .Raw("<td><code>").Text(source).Raw("</code></td></tr>");
        }

        html.Raw("</tbody></table>");
    }
}
