namespace Streaming.BrowserSupport;

/// <summary>One place a browser may be: a file, or a Playwright channel (which Playwright resolves itself).</summary>
public sealed record BrowserCandidate(string Where, string? ExecutablePath = null, string? Channel = null)
{
    public static BrowserCandidate File(string path, string? where = null) => new(where ?? path, ExecutablePath: path);

    public static BrowserCandidate OfChannel(string channel) => new($"Playwright's channel '{channel}'", Channel: channel);
}

/// <summary>
/// Where Chromium, Chrome or Edge usually live, in the order they are preferred: the one named by
/// <c>CHROMIUM_PATH</c> (then nothing else, so that a wrong setting is said, not papered over); Debian's
/// package, which <c>.ci/run</c> installs; the names on <c>PATH</c>; each platform's install folders; and
/// Playwright's channels <c>chrome</c> and <c>msedge</c>. Chromium before Chrome before Edge: the tests
/// were written against Chromium. Playwright's own Chromium comes after all of these (see <see cref="Browser"/>).
/// </summary>
public static class BrowserLookup
{
    public const string PathVariable = "CHROMIUM_PATH";

    public const string Debian = "/usr/bin/chromium";

    public static IReadOnlyList<string> PathNames { get; } = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge"];

    public static IReadOnlyList<string> Channels { get; } = ["chrome", "msedge"];

    private static readonly string[] MacApps =
        ["Chromium.app/Contents/MacOS/Chromium", "Google Chrome.app/Contents/MacOS/Google Chrome", "Microsoft Edge.app/Contents/MacOS/Microsoft Edge"];

    private static readonly string[] WindowsRoots = ["ProgramFiles", "ProgramFiles(x86)", "LOCALAPPDATA"];

    private static readonly string[] WindowsFolders = [@"Chromium\Application\chrome.exe", @"Google\Chrome\Application\chrome.exe", @"Microsoft\Edge\Application\msedge.exe"];

    /// <summary>Every place to look, best first.</summary>
    public static IReadOnlyList<BrowserCandidate> Candidates(IBrowserHost host)
    {
        if (host.Variable(PathVariable) is { Length: > 0 } named)
        {
            return [BrowserCandidate.File(named, $"{named} ({PathVariable})")];
        }

        var candidates = new List<BrowserCandidate>();
        if (host.Platform == HostPlatform.Linux)
        {
            candidates.Add(BrowserCandidate.File(Debian));
        }

        candidates.AddRange(OnPath(host));
        candidates.AddRange(InstallFolders(host).Select(p => BrowserCandidate.File(p)));
        candidates.AddRange(Channels.Select(BrowserCandidate.OfChannel));
        return Distinct(candidates);
    }

    /// <summary>The first candidate that is a file on this machine, or null (channels are not files: only a launch can tell).</summary>
    public static BrowserCandidate? FirstFile(IBrowserHost host) =>
        Candidates(host).FirstOrDefault(c => c.ExecutablePath is { } path && host.FileExists(path));

    /// <summary>Every place looked in, for a message: PATH's directories in one entry rather than one per name and directory.</summary>
    public static IReadOnlyList<string> Places(IBrowserHost host)
    {
        if (host.Variable(PathVariable) is { Length: > 0 })
        {
            return [.. Candidates(host).Select(c => c.Where)];
        }

        var places = new List<string>();
        if (host.Platform == HostPlatform.Linux)
        {
            places.Add(Debian);
        }

        var directories = PathDirectories(host).ToList();
        places.Add($"{string.Join(", ", PathNames.Select(n => Executable(host, n)))} on PATH ({(directories.Count == 0 ? "empty" : string.Join(Separator(host), directories))})");
        places.AddRange(InstallFolders(host));
        places.AddRange(Channels.Select(c => BrowserCandidate.OfChannel(c).Where));
        return places;
    }

    private static IEnumerable<BrowserCandidate> OnPath(IBrowserHost host) =>
        from name in PathNames
        from directory in PathDirectories(host)
        select BrowserCandidate.File(Join(host, directory, Executable(host, name)));

    private static IEnumerable<string> InstallFolders(IBrowserHost host)
    {
        switch (host.Platform)
        {
            case HostPlatform.MacOS:
                // Each browser installed for everyone, then for the user alone.
                var home = host.Variable("HOME") is { Length: > 0 } h ? h.TrimEnd('/') : null;
                foreach (var app in MacApps)
                {
                    yield return $"/Applications/{app}";
                    if (home is not null)
                    {
                        yield return $"{home}/Applications/{app}";
                    }
                }

                break;
            case HostPlatform.Windows:
                // Per machine first, then per user (where Chrome goes without administrator rights); Edge ships with Windows.
                var roots = WindowsRoots.Select(host.Variable).OfType<string>().Where(r => r.Length > 0).ToList();
                foreach (var relative in WindowsFolders)
                {
                    foreach (var root in roots)
                    {
                        yield return $@"{root.TrimEnd('\\')}\{relative}";
                    }
                }

                break;
            default:
                yield return "/snap/bin/chromium";
                yield return "/opt/google/chrome/chrome";
                yield return "/opt/microsoft/msedge/msedge";
                break;
        }
    }

    private static IEnumerable<string> PathDirectories(IBrowserHost host) =>
        (host.Variable("PATH") ?? "").Split(Separator(host), StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal);

    private static string Separator(IBrowserHost host) => host.Platform == HostPlatform.Windows ? ";" : ":";

    private static string Executable(IBrowserHost host, string name) => host.Platform == HostPlatform.Windows ? $"{name}.exe" : name;

    private static string Join(IBrowserHost host, string directory, string file) =>
        host.Platform == HostPlatform.Windows ? $@"{directory.TrimEnd('\\')}\{file}" : $"{directory.TrimEnd('/')}/{file}";

    private static List<BrowserCandidate> Distinct(List<BrowserCandidate> candidates)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. candidates.Where(c => seen.Add(c.ExecutablePath ?? $"channel:{c.Channel}"))];
    }
}
