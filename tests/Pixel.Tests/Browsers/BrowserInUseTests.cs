namespace Streaming.Pixel.Tests.Browsers;

/// <summary>The lookup on this machine, with a real browser: the one launched is the first it finds.</summary>
public sealed class BrowserInUseTests(Browser browser) : IClassFixture<Browser>
{
    [BrowserFact]
    public async Task The_browser_launched_is_the_first_the_lookup_finds_and_it_renders_a_page()
    {
        var first = BrowserLookup.FirstFile(MachineBrowserHost.Instance);

        var page = await browser.Use().NewPageAsync();
        await page.SetContentAsync("<p id=\"p\">rendered</p>");

        // Where no browser is on disk, a channel or Playwright's own Chromium was launched instead.
        Assert.Equal(first?.Where ?? browser.Found, browser.Found);
        Assert.NotNull(browser.Found);
        Assert.Equal("rendered", await page.InnerTextAsync("#p"));
    }
}
