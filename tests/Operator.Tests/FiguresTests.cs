namespace Streaming.Operator.Tests;

/// <summary>
/// The figures on the page, over real HTTP from a real Kestrel, for records fed into the test broker: a
/// table of cases, a restart, a live record. Their counters on the Prometheus endpoint: MetricsTests.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class FiguresTests(OperatorFixture rig)
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
}
