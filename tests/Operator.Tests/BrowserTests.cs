using System.Globalization;
using Microsoft.Playwright;
using Streaming.BrowserSupport;
using Streaming.Operator.Tests.Rig;
using Streaming.Records;
using Streaming.TestSupport;

namespace Streaming.Operator.Tests;

/// <summary>The page in headless Chromium, signed in as a browser signs in (basic auth); its screenshot is the README's.</summary>
[Collection(OnKafka.Name)]
public sealed class BrowserTests(OperatorFixture rig, Browser browser) : IClassFixture<Browser>
{
    public static string Screenshot => Path.Combine(ShopifySamples.RepositoryRoot(), "docs", "operator-view.png");

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

        Directory.CreateDirectory(Path.GetDirectoryName(Screenshot)!);
        await page.ScreenshotAsync(new() { Path = Screenshot, FullPage = true });
        Assert.True(new FileInfo(Screenshot).Length > 10_000);

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

    private static Task<string> TextOf(IPage page, string figure) => page.Locator($"[data-figure='{figure}']").InnerTextAsync();

    private static string Count(int value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
