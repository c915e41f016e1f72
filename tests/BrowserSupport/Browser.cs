using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Streaming.BrowserSupport;

/// <summary>
/// A headless Chromium, Chrome or Edge driven by Playwright, for the pixel's tests and the operator page's.
/// It takes the first browser <see cref="BrowserLookup"/> finds; where there is none, Playwright's own
/// Chromium, downloaded once where the network allows. Only when all of that fails do the browser tests
/// fail, naming every place looked in, unless <c>PIXEL_TESTS_WITHOUT_BROWSER=1</c> is set (the name is
/// older than the second user): then, with no browser on disk, they are skipped, with that reason in the
/// test output, and nothing is downloaded.
/// </summary>
public sealed class Browser(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string OptOutVariable = "PIXEL_TESTS_WITHOUT_BROWSER";
    public const string PathVariable = BrowserLookup.PathVariable;

    private readonly List<string> _failures = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>Where the browser in use was found.</summary>
    public string? Found { get; private set; }

    public static bool OptedOut => Environment.GetEnvironmentVariable(OptOutVariable) == "1";

    /// <summary>Whether a browser is on disk where the lookup looks (a channel or Playwright's own may still be found at launch).</summary>
    public static bool OnDisk => BrowserLookup.FirstFile(MachineBrowserHost.Instance) is not null;

    public string Missing =>
        $"No Chromium, Chrome or Edge found. Looked in: {string.Join("; ", BrowserLookup.Places(MachineBrowserHost.Instance))}. "
        + (_failures.Count > 0 ? $"Tried and failed: {string.Join("; ", _failures)}. " : "")
        + $"Install one (Debian: apt-get install -y chromium; .ci/run does) or point {PathVariable} at one; "
        + $"to run the other tests without a browser, set {OptOutVariable}=1.";

    public async Task InitializeAsync()
    {
        if (OptedOut && !OnDisk)
        {
            // Every browser test is skipped (see BrowserFactAttribute): nothing to launch, nothing to download.
            return;
        }

        _playwright = await Playwright.CreateAsync();
        var host = MachineBrowserHost.Instance;
        foreach (var candidate in BrowserLookup.Candidates(host))
        {
            if (candidate.ExecutablePath is { } path && !host.FileExists(path))
            {
                continue;
            }

            if (await TryLaunchAsync(candidate.Where, Options(candidate.ExecutablePath, candidate.Channel)))
            {
                return;
            }
        }

        // A browser named by CHROMIUM_PATH is the only one wanted; otherwise Playwright's own, as a last resort.
        if (host.Variable(PathVariable) is not { Length: > 0 } && !OptedOut)
        {
            await TryPlaywrightsOwnAsync();
        }

        // Not thrown here: every browser test fails with the message instead (see Use()).
    }

    /// <summary>The browser, or a failure that says where it was looked for and how to get one.</summary>
    public IBrowser Use() => _browser ?? throw new InvalidOperationException(Missing);

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private async Task TryPlaywrightsOwnAsync()
    {
        const string Where = "Playwright's own Chromium";
        if (!File.Exists(_playwright!.Chromium.ExecutablePath))
        {
            Report($"No browser found; installing {Where} (`playwright install chromium`), where the network allows.");
            // Playwright's installer: a download, then a folder in the user's cache that later runs reuse.
            var exit = await Task.Run(() => Microsoft.Playwright.Program.Main(["install", "chromium"]));
            if (exit != 0)
            {
                _failures.Add($"{Where}: its installer exited with {exit} (no network?)");
                return;
            }
        }

        await TryLaunchAsync(Where, Options(executablePath: null, channel: null));
    }

    private async Task<bool> TryLaunchAsync(string where, BrowserTypeLaunchOptions options)
    {
        try
        {
            _browser = await _playwright!.Chromium.LaunchAsync(options);
            Found = where;
            Report($"Browser: {where} ({_browser.Version})");
            return true;
        }
        catch (PlaywrightException e)
        {
            _failures.Add($"{where}: {e.Message.Split('\n')[0].Trim()}");
            return false;
        }
    }

    private static BrowserTypeLaunchOptions Options(string? executablePath, string? channel) => new()
    {
        ExecutablePath = executablePath,
        Channel = channel,
        Headless = true,
        // No background traffic: this machine's network is closed, and the tests need none of it.
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
    };

    private void Report(string message) => diagnostics.OnMessage(new DiagnosticMessage(message));
}

/// <summary>A test in a browser: skipped, with the reason, only where no browser is on disk and the opt-out is set.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Browser.OptedOut && !Browser.OnDisk)
        {
            Skip = $"{Browser.OptOutVariable}=1 and no Chromium, Chrome or Edge where the lookup looks: browser test not run.";
        }
    }
}
