namespace Streaming.BrowserSupport;

/// <summary>The operating systems whose usual browser locations the lookup knows.</summary>
public enum HostPlatform
{
    Linux,
    MacOS,
    Windows,
}

/// <summary>What the browser lookup asks of the machine: its platform, its environment, whether a file is there.</summary>
public interface IBrowserHost
{
    HostPlatform Platform { get; }

    string? Variable(string name);

    bool FileExists(string path);
}

/// <summary>This machine.</summary>
public sealed class MachineBrowserHost : IBrowserHost
{
    public static MachineBrowserHost Instance { get; } = new();

    public HostPlatform Platform { get; } =
        OperatingSystem.IsWindows() ? HostPlatform.Windows
        : OperatingSystem.IsMacOS() ? HostPlatform.MacOS
        : HostPlatform.Linux;

    public string? Variable(string name) => Environment.GetEnvironmentVariable(name);

    public bool FileExists(string path) => File.Exists(path);
}
