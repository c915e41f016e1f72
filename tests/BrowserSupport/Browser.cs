using Microsoft.Playwright;
using Xunit;

namespace Streaming.BrowserSupport;

/// <summary>
/// Headless Chromium, Debian's package, driven by Playwright, for the pixel's tests and the operator page's.
/// Where it is missing the browser tests fail and say how to install it, unless
/// <c>PIXEL_TESTS_WITHOUT_BROWSER=1</c> is set (the name is older than the second user): then they are
/// skipped, with that reason in the test output.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string OptOutVariable = "PIXEL_TESTS_WITHOUT_BROWSER";
    public const string PathVariable = "CHROMIUM_PATH";

    private IPlaywright? _playwright;

    public IBrowser Chromium { get; private set; } = null!;

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool Installed => File.Exists(ExecutablePath);

    public static bool OptedOut => Environment.GetEnvironmentVariable(OptOutVariable) == "1";

    public static string Missing =>
        $"No Chromium at {ExecutablePath}. Install it (Debian: apt-get install -y chromium; .ci/run does) or point "
        + $"{PathVariable} at one; to run the other tests without a browser, set {OptOutVariable}=1.";

    public async Task InitializeAsync()
    {
        if (!Installed)
        {
            // Not thrown here: every browser test fails with this message instead (see Use()).
            return;
        }

        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // No background traffic: this machine's network is closed, and the tests need none of it.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>The browser, or a failure that says how to get one.</summary>
    public IBrowser Use() => Installed ? Chromium : throw new InvalidOperationException(Missing);

    public async Task DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Chromium.DisposeAsync();
            _playwright.Dispose();
        }
    }
}

/// <summary>A test in Chromium: skipped, with the reason, only where the browser is missing and the opt-out is set.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!Browser.Installed && Browser.OptedOut)
        {
            Skip = $"{Browser.OptOutVariable}=1 and no Chromium at {Browser.ExecutablePath}: browser test not run.";
        }
    }
}
