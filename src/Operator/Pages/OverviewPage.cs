using Streaming.Contracts;
using Streaming.Operator.Counting;

namespace Streaming.Operator.Pages;

/// <summary>Every configured shop in one table over a window, each linking to its own page.</summary>
public static class OverviewPage
{
    /// <param name="unattributed">Records read of shops that are not configured: a shop missing from the list shows here first.</param>
    public static string Render(IReadOnlyList<ShopFigures> shops, long unattributed, Window window, DateTimeOffset asOf, PageContext context)
    {
        var html = Layout.Start("Operator view", "Pinterest delivery", "all shops");
        Layout.Windows(html, window, context.OverviewPath).Tag("span", $"as of {Format.Time(asOf)} UTC", ("class", "where")).Raw("</header><main>");
        Layout.Rebuilding(html, context);

        html.Raw("<h2>Shops").Tag("small", window.Title).Raw("</h2><table><thead><tr><th>Shop</th>");
        foreach (var column in new[] { "Received", "Excluded", "Dead-lettered", "Sent", "Accepted", "Failed", "Dry run", "Delay p50" })
        {
            html.Tag("th", column, ("class", "n"));
        }

        html.Raw("</tr></thead><tbody>");
        foreach (var shop in shops)
        {
            var t = shop.Total;
            var p50 = t.Delay.Seconds(0.5);
            html.Raw("<tr><td>").Tag("a", shop.Shop, ("href", $"{context.ShopPath(shop.Shop)}?window={window.Name}")).Raw("</td>")
                .Counts($"shops/{shop.Shop}", t)
                .Figure($"shops/{shop.Shop}/delay_p50", Format.Delay(p50), p50)
                .Raw("</tr>");
        }

        html.Raw("</tbody></table>");
        if (unattributed > 0)
        {
            html.Open("p", ("class", "note flag")).Text("Left out of every figure: ")
                .Tag("span", Format.Count(unattributed), ("data-figure", "unattributed"), ("data-value", unattributed.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Text(" record(s) of shops that are not configured, or whose shop cannot be told (a dead letter without a key), since the start.").Close("p");
        }

        return Layout.End(html, context.Footer);
    }
}
