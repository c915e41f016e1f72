namespace Streaming.Pixel.Tests.Browsers;

/// <summary>Where the browser tests look for a browser, on a machine made up for each platform.</summary>
public sealed class BrowserLookupTests
{
    [Fact]
    public void On_Linux_Debians_package_comes_first_then_PATH_by_name_then_the_install_folders_then_Playwrights_channels()
    {
        var host = new FakeHost(HostPlatform.Linux, new() { ["PATH"] = "/usr/local/bin:/usr/bin" });

        Assert.Equal(
            [
                "/usr/bin/chromium",
                "/usr/local/bin/chromium",
                "/usr/local/bin/chromium-browser", "/usr/bin/chromium-browser",
                "/usr/local/bin/google-chrome", "/usr/bin/google-chrome",
                "/usr/local/bin/google-chrome-stable", "/usr/bin/google-chrome-stable",
                "/usr/local/bin/microsoft-edge", "/usr/bin/microsoft-edge",
                "/snap/bin/chromium", "/opt/google/chrome/chrome", "/opt/microsoft/msedge/msedge",
            ],
            Files(host));
        Assert.Equal(["chrome", "msedge"], BrowserLookup.Candidates(host).Select(c => c.Channel).OfType<string>());
        // Every file before any channel: a channel is only known by launching it.
        Assert.All(BrowserLookup.Candidates(host).SkipWhile(c => c.ExecutablePath is not null), c => Assert.NotNull(c.Channel));
    }

    [Fact]
    public void On_macOS_the_applications_folders_are_looked_in_for_everyone_then_for_the_user()
    {
        var host = new FakeHost(HostPlatform.MacOS, new() { ["PATH"] = "/opt/homebrew/bin:/usr/bin", ["HOME"] = "/Users/ann" });

        Assert.Equal(
            [
                "/opt/homebrew/bin/chromium", "/usr/bin/chromium",
                "/opt/homebrew/bin/chromium-browser", "/usr/bin/chromium-browser",
                "/opt/homebrew/bin/google-chrome", "/usr/bin/google-chrome",
                "/opt/homebrew/bin/google-chrome-stable", "/usr/bin/google-chrome-stable",
                "/opt/homebrew/bin/microsoft-edge", "/usr/bin/microsoft-edge",
                "/Applications/Chromium.app/Contents/MacOS/Chromium", "/Users/ann/Applications/Chromium.app/Contents/MacOS/Chromium",
                "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", "/Users/ann/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
                "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge", "/Users/ann/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
            ],
            Files(host));

        host.Files.Add("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome");
        Assert.Equal("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", BrowserLookup.FirstFile(host)?.ExecutablePath);
    }

    [Fact]
    public void On_Windows_PATH_takes_exe_names_and_semicolons_and_Program_Files_comes_before_the_users_own_installs()
    {
        var host = new FakeHost(HostPlatform.Windows, new()
        {
            ["PATH"] = @"C:\Windows\system32;C:\Tools\",
            ["ProgramFiles"] = @"C:\Program Files",
            ["ProgramFiles(x86)"] = @"C:\Program Files (x86)",
            ["LOCALAPPDATA"] = @"C:\Users\ann\AppData\Local",
        });

        Assert.Equal(
            [
                @"C:\Windows\system32\chromium.exe", @"C:\Tools\chromium.exe",
                @"C:\Windows\system32\chromium-browser.exe", @"C:\Tools\chromium-browser.exe",
                @"C:\Windows\system32\google-chrome.exe", @"C:\Tools\google-chrome.exe",
                @"C:\Windows\system32\google-chrome-stable.exe", @"C:\Tools\google-chrome-stable.exe",
                @"C:\Windows\system32\microsoft-edge.exe", @"C:\Tools\microsoft-edge.exe",
                @"C:\Program Files\Chromium\Application\chrome.exe", @"C:\Program Files (x86)\Chromium\Application\chrome.exe", @"C:\Users\ann\AppData\Local\Chromium\Application\chrome.exe",
                @"C:\Program Files\Google\Chrome\Application\chrome.exe", @"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe", @"C:\Users\ann\AppData\Local\Google\Chrome\Application\chrome.exe",
                @"C:\Program Files\Microsoft\Edge\Application\msedge.exe", @"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe", @"C:\Users\ann\AppData\Local\Microsoft\Edge\Application\msedge.exe",
            ],
            Files(host));

        // Edge comes with Windows; Chrome installed without administrator rights lives in the user's folder, and wins.
        host.Files.Add(@"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe");
        host.Files.Add(@"C:\Users\ann\AppData\Local\Google\Chrome\Application\chrome.exe");
        Assert.Equal(@"C:\Users\ann\AppData\Local\Google\Chrome\Application\chrome.exe", BrowserLookup.FirstFile(host)?.ExecutablePath);
    }

    [Fact]
    public void Chromium_is_preferred_to_Chrome_and_Chrome_to_Edge_and_the_first_one_there_is_taken()
    {
        var host = new FakeHost(HostPlatform.Linux, new() { ["PATH"] = "/usr/local/bin:/usr/bin" });
        host.Files.UnionWith(["/opt/microsoft/msedge/msedge", "/opt/google/chrome/chrome", "/usr/bin/google-chrome-stable", "/usr/local/bin/chromium-browser", "/usr/bin/chromium"]);

        var found = new List<string>();
        while (BrowserLookup.FirstFile(host) is { ExecutablePath: { } path })
        {
            found.Add(path);
            host.Files.Remove(path);
        }

        Assert.Equal(["/usr/bin/chromium", "/usr/local/bin/chromium-browser", "/usr/bin/google-chrome-stable", "/opt/google/chrome/chrome", "/opt/microsoft/msedge/msedge"], found);
    }

    [Fact]
    public void A_browser_named_by_CHROMIUM_PATH_is_the_only_one_looked_for_so_a_wrong_setting_is_not_hidden()
    {
        var host = new FakeHost(HostPlatform.Linux, new() { ["PATH"] = "/usr/bin", [BrowserLookup.PathVariable] = "/home/ann/chrome-linux/chrome" });
        host.Files.Add("/usr/bin/chromium");

        Assert.Null(BrowserLookup.FirstFile(host));
        Assert.Equal(["/home/ann/chrome-linux/chrome (CHROMIUM_PATH)"], BrowserLookup.Places(host));

        host.Files.Add("/home/ann/chrome-linux/chrome");
        Assert.Equal("/home/ann/chrome-linux/chrome", BrowserLookup.FirstFile(host)?.ExecutablePath);
    }

    [Fact]
    public void Where_there_is_no_browser_the_places_name_every_folder_and_channel_looked_in()
    {
        var host = new FakeHost(HostPlatform.MacOS, new() { ["PATH"] = "/usr/local/bin:/usr/bin", ["HOME"] = "/Users/ann" });

        Assert.Null(BrowserLookup.FirstFile(host));
        Assert.Equal(
            [
                "chromium, chromium-browser, google-chrome, google-chrome-stable, microsoft-edge on PATH (/usr/local/bin:/usr/bin)",
                "/Applications/Chromium.app/Contents/MacOS/Chromium", "/Users/ann/Applications/Chromium.app/Contents/MacOS/Chromium",
                "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", "/Users/ann/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
                "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge", "/Users/ann/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
                "Playwright's channel 'chrome'", "Playwright's channel 'msedge'",
            ],
            BrowserLookup.Places(host));
    }

    private static IEnumerable<string?> Files(IBrowserHost host) => BrowserLookup.Candidates(host).Where(c => c.ExecutablePath is not null).Select(c => c.ExecutablePath);

    private sealed class FakeHost(HostPlatform platform, Dictionary<string, string> variables) : IBrowserHost
    {
        public HashSet<string> Files { get; } = new(StringComparer.Ordinal);

        public HostPlatform Platform => platform;

        public string? Variable(string name) => variables.GetValueOrDefault(name);

        public bool FileExists(string path) => Files.Contains(path);
    }
}
