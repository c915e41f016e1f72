using Microsoft.Playwright;
using Streaming.BrowserSupport;

namespace Streaming.Operator.Tests;

/// <summary>The page in headless Chromium, signed in as a browser signs in (basic auth); its screenshot is the README's.</summary>
[Collection(OnKafka.Name)]
public sealed class BrowserTests(OperatorFixture rig, Browser browser) : IClassFixture<Browser>
{
    /// <summary>
    /// Where a screenshot goes: docs/ (the README's pictures) only when UPDATE_SCREENSHOTS=1, so that a test run
    /// leaves the working tree as it found it; a temporary folder otherwise.
    /// </summary>
    public static string ScreenshotFile(string name)
    {
        var folder = Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(ShopifySamples.RepositoryRoot(), "docs")
            : Path.Combine(Path.GetTempPath(), "operator-screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    [BrowserFact]
    public async Task A_signed_in_browser_sees_the_shops_week_and_a_screenshot_is_kept_for_the_README()
    {
        await using var context = await browser.Use().NewContextAsync(new()
        {
            HttpCredentials = new() { Username = OperatorFixture.UserName, Password = OperatorFixture.Token },
            ViewportSize = new() { Width = 1360, Height = 900 },
            DeviceScaleFactor = 1,
        });
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(new Uri(rig.Host.BaseUrl, $"/operator/shops/{Showcase.Shop}?window=7d").ToString());

        Assert.Equal(200, response!.Status);
        Assert.Equal($"{Showcase.Shop} · operator view", await page.TitleAsync());
        Assert.Equal(Count(Showcase.AcceptedCheckouts), await TextOf(page, "events/checkout/accepted"));
        Assert.Equal(Count(Showcase.FailedCheckouts), await TextOf(page, "events/checkout/failed"));
        Assert.Equal(Count(Showcase.Orders), await TextOf(page, "events/checkout/received"));
        Assert.Equal("100 %", await TextOf(page, "match/em/checkout"));
        Assert.Equal("last 7 days", await page.Locator("nav.windows strong").InnerTextAsync());
        // The figures are on the screen, not only in the markup.
        Assert.True(await page.Locator("[data-figure='events/all/received']").IsVisibleAsync());

        var screenshot = ScreenshotFile("operator-view.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000);

        // The overview adds up every event of the shop: all of the week's records are inside 7 days.
        await page.GotoAsync(new Uri(rig.Host.BaseUrl, "/operator?window=7d").ToString());
        var processed = Showcase.Records(rig.Now).Count(r => r.Value is PinterestDelivery { Status: "processed" });
        Assert.Equal(Count(processed), await TextOf(page, $"shops/{Showcase.Shop}/accepted"));
    }

    [BrowserFact]
    public async Task A_browser_without_the_token_is_challenged_and_gets_no_page()
    {
        var url = new Uri(rig.Host.BaseUrl, $"/operator/shops/{Showcase.Shop}").ToString();
        await using var anonymous = await browser.Use().NewContextAsync();
        await using var wrong = await browser.Use().NewContextAsync(new() { HttpCredentials = new() { Username = OperatorFixture.UserName, Password = "not-the-operator-token" } });

        // Headless Chromium has nobody to ask: a basic-auth challenge it cannot answer ends the navigation.
        var refused = await Assert.ThrowsAsync<PlaywrightException>(async () => await (await anonymous.NewPageAsync()).GotoAsync(url));
        var denied = await (await wrong.NewPageAsync()).GotoAsync(url);

        Assert.Contains("ERR_INVALID_AUTH_CREDENTIALS", refused.Message, StringComparison.Ordinal);
        Assert.Equal(401, denied!.Status);
        Assert.DoesNotContain(Showcase.Shop, await denied.TextAsync(), StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task The_charts_read_in_light_and_dark_mode_and_at_a_phones_width_and_their_screenshots_are_kept()
    {
        var url = new Uri(rig.Host.BaseUrl, $"/operator/shops/{Showcase.Shop}?window=7d").ToString();
        var looks = new Dictionary<string, (string Page, string Bar)>();
        foreach (var (name, scheme, width, scale) in new[] { ("light", ColorScheme.Light, 1360, 1f), ("dark", ColorScheme.Dark, 1360, 1f), ("phone", ColorScheme.Light, 390, 2f) })
        {
            await using var context = await browser.Use().NewContextAsync(new()
            {
                HttpCredentials = new() { Username = OperatorFixture.UserName, Password = OperatorFixture.Token },
                ViewportSize = new() { Width = width, Height = 900 },
                DeviceScaleFactor = scale,
                ColorScheme = scheme,
            });
            var page = await context.NewPageAsync();
            Assert.Equal(200, (await page.GotoAsync(url))!.Status);

            var charts = page.Locator("section.charts");
            Assert.Equal(9, await charts.Locator("svg.chart").CountAsync());
            Assert.True(await charts.Locator("svg[data-chart='chart-received']").IsVisibleAsync());
            var background = Rgb(await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor"));
            var bar = await charts.Locator("svg[data-chart='chart-received'] rect.bar").First.EvaluateAsync<string>("e => getComputedStyle(e).fill");
            var tick = await charts.Locator("svg[data-chart='chart-received'] text.tick").First.EvaluateAsync<string>("e => getComputedStyle(e).fill");
            // WCAG's contrast: 4.5 for text, 3 for the bars (a graphical object).
            Assert.True(Contrast(Rgb(tick), background) >= 4.5, $"{name}: axis text {tick} on {background} is too faint.");
            Assert.True(Contrast(Rgb(bar), background) >= 3, $"{name}: bars {bar} on {background} are too faint.");
            looks[name] = (string.Join(",", background), bar);

            if (name == "phone")
            {
                // One chart to a row, the page no wider than the phone, and the axis text still at a readable size.
                var box = (await charts.Locator("svg[data-chart='chart-received']").BoundingBoxAsync())!;
                Assert.InRange(box.Width, 300, 390);
                var wide = await page.EvaluateAsync<string[]>(
                    "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 390.5 && !e.closest('table')).slice(0, 5).map(e => e.tagName + '.' + e.className.baseVal ?? e.className)");
                Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 390, $"The page scrolls sideways at 390 px: {string.Join(", ", wide)}.");
                var text = (await charts.Locator("svg[data-chart='chart-received'] text.tick").First.BoundingBoxAsync())!;
                Assert.True(text.Height >= 9, $"Axis text {text.Height} px high at 390 px.");
            }

            var file = ScreenshotFile($"operator-charts-{name}.png");
            await charts.ScreenshotAsync(new() { Path = file });
            Assert.True(new FileInfo(file).Length > 10_000);
        }

        Assert.NotEqual(looks["light"].Page, looks["dark"].Page);
        Assert.NotEqual(looks["light"].Bar, looks["dark"].Bar);
    }

    private static readonly double[] LuminanceWeights = [0.2126, 0.7152, 0.0722];

    private static double[] Rgb(string css)
    {
        var parts = css[(css.IndexOf('(', StringComparison.Ordinal) + 1)..css.IndexOf(')', StringComparison.Ordinal)].Split(',');
        return [.. parts.Take(3).Select(p => double.Parse(p, CultureInfo.InvariantCulture) / 255)];
    }

    private static double Contrast(double[] a, double[] b)
    {
        static double Luminance(double[] c) => c.Select(v => v <= 0.03928 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4)).Zip(LuminanceWeights, (v, w) => v * w).Sum();
        var (l1, l2) = (Luminance(a), Luminance(b));
        return (Math.Max(l1, l2) + 0.05) / (Math.Min(l1, l2) + 0.05);
    }

    private static Task<string> TextOf(IPage page, string figure) => page.Locator($"[data-figure='{figure}']").InnerTextAsync();

    private static string Count(int value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
