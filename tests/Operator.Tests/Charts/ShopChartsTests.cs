using System.Xml.Linq;
using Microsoft.Extensions.Options;
using Streaming.Operator.Pages;
using Streaming.Operator.Pages.Charts;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Operator.Tests.Charts;

/// <summary>The hourly aggregate behind the charts, and the charts drawn from it, without Kafka.</summary>
public sealed class ShopChartsTests
{
    private const string Shop = "hourly.myshopify.com";
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 20, 0, TimeSpan.Zero);
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Each_record_lands_in_its_hour_and_nothing_older_than_the_7_days_is_kept()
    {
        var counts = new ShopCounts();
        counts.Add(Outcome(Now.AddMinutes(-5)));
        counts.Add(Outcome(Now.AddMinutes(-15)));
        counts.Add(Outcome(Now.AddHours(-30)));
        counts.Add(Outcome(Now.AddDays(-8)));
        counts.Add(Delivery(Now.AddHours(-1), "processed", ["em", "click_id"]));

        var hours = counts.Hours(Now);

        Assert.Equal(168, hours.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 11, 0, 0, TimeSpan.Zero), hours[0].Start);
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero), hours[^1].Start);
        Assert.Equal(2, hours[^1].Counts.Received);
        Assert.Equal(1, hours[^31].Counts.Received);
        Assert.Equal(1, hours[^2].Counts.Accepted);
        Assert.Equal(3, hours.Sum(h => h.Counts.Received));
    }

    [Fact]
    public void The_charts_add_up_to_the_hours_and_the_coverage_is_the_share_of_events_sent_with_each_key()
    {
        var counts = new ShopCounts();
        for (var i = 0; i < 4; i++)
        {
            counts.Add(Outcome(Now.AddHours(-2)));
            counts.Add(Delivery(Now.AddHours(-2), "processed", i < 3 ? ["em", "client_ip_address"] : ["client_ip_address"], delaySeconds: 3));
        }

        counts.Add(Delivery(Now.AddHours(-50), "failed", ["em"], reason: "pinterest_event_failed", delaySeconds: 40));

        var html = new Html();
        ShopCharts.Write(html, Shop, counts.Hours(Now));
        var page = XElement.Parse($"<div>{html}</div>");
        var charts = page.Descendants(Svg + "svg").ToDictionary(s => (string)s.Attribute("data-chart")!);

        Assert.Equal(["chart-received", "chart-sent", "chart-accepted", "chart-dead_lettered", "chart-match-em", "chart-match-click_id", "chart-match-client_ip_address", "chart-match-client_user_agent", "chart-delay"], charts.Keys);
        Assert.Equal(4, Sum(charts["chart-received"]));
        Assert.Equal(5, Sum(charts["chart-sent"]));
        Assert.Equal(4, Sum(charts["chart-accepted"]));
        Assert.Equal(1, Sum(charts["chart-dead_lettered"]));
        Assert.Equal([100, 75], Values(charts["chart-match-em"]));
        Assert.Empty(Values(charts["chart-match-click_id"]));
        Assert.Equal([4, 1], Values(charts["chart-delay"]));
        Assert.Equal(["2–5 s: 4 events (80 %)", "15–60 s: 1 events (20 %)"], charts["chart-delay"].Elements(Svg + "rect").Select(r => r.Element(Svg + "title")!.Value));
        Assert.Contains("80 % of the 5 events sent in 7 days carried the e-mail", page.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_shop_name_and_an_event_name_that_hold_markup_stay_text()
    {
        var counts = new ShopCounts();
        counts.Add(Outcome(Now.AddHours(-1), eventName: "<b>page_visit</b>"));
        var html = new Html();

        ShopCharts.Write(html, "<script>alert(1)</script>.myshopify.com", counts.Hours(Now));

        Assert.DoesNotContain("<script", html.ToString(), StringComparison.Ordinal);
        Assert.Contains("<script>alert(1)</script>.myshopify.com: events received, by hour", XElement.Parse($"<div>{html}</div>").Descendants(Svg + "title").Select(t => t.Value));
    }

    [Fact]
    public void The_view_gives_no_hours_for_a_shop_it_does_not_know()
    {
        var view = new OperatorView(Options.Create(new ShopList<OperatorShop> { Items = [new OperatorShop { Domain = Shop }] }));
        view.Add(Outcome(Now.AddHours(-3)));

        Assert.Null(view.Hours("other.myshopify.com", Now));
        Assert.Equal(1, view.Hours(Shop, Now)!.Sum(h => h.Counts.Received));
    }

    private static double Sum(XElement svg) => Values(svg).Sum();

    private static List<double> Values(XElement svg) => [.. svg.Elements(Svg + "rect").Select(r => double.Parse(r.Attribute("data-value")!.Value, CultureInfo.InvariantCulture))];

    private static EnrichmentOutcome Outcome(DateTimeOffset at, string eventName = "checkout") => new()
    {
        ShopDomain = Shop,
        Input = "orders/create",
        EventName = eventName,
        EventId = Guid.NewGuid().ToString("N"),
        Outcome = "mapped",
        OccurredAt = at.UtcDateTime,
        DecidedAt = at.UtcDateTime,
    };

    private static PinterestDelivery Delivery(DateTimeOffset at, string status, string[] keys, string? reason = null, int delaySeconds = 1) => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        ShopDomain = Shop,
        AdAccountId = "1",
        EventName = "checkout",
        Status = status,
        Attempts = 1,
        LatencyMs = 100,
        MatchKeys = keys,
        AnsweredAt = at.UtcDateTime,
        EventTime = (at - TimeSpan.FromSeconds(delaySeconds)).ToUnixTimeSeconds(),
        DeadLetterReason = reason,
    };
}
