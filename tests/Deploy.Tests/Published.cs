using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Streaming.Deploy.Tests;

/// <summary>
/// <c>dotnet publish</c> of every deployable, once per test run and side by side, into a temp folder, as
/// the Dockerfile publishes it: for one runtime (this machine's, as the image's is its platform's) and
/// framework-dependent, so only that runtime's native libraries (librdkafka, RocksDB) are copied, next
/// to the assemblies instead of under runtimes/. It builds each deployable once more for that runtime
/// (same configuration as these tests), but not the libraries they share: built with these tests
/// already, and four publishes at once must not write them at once (<c>--no-dependencies</c>). A publish
/// that breaks, or a native library the published layout cannot load, fails here even without Docker.
/// </summary>
public static class Published
{
    private static readonly Lazy<Task<IReadOnlyDictionary<string, Publication>>> Publications = new(PublishAllAsync);

    public static string Configuration =>
        typeof(Published).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>What the Dockerfile picks from Docker's TARGETARCH: linux-x64 or linux-arm64.</summary>
    public static string RuntimeIdentifier => $"linux-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";

    /// <summary>The publish output of <paramref name="deployable"/>; a failed publish fails the caller with dotnet's output.</summary>
    public static async Task<Publication> OfAsync(Deployable deployable)
    {
        var publication = (await Publications.Value)[deployable.Name];
        Assert.True(publication.ExitCode == 0, $"dotnet publish {deployable.Project} exited {publication.ExitCode}:\n{publication.Output}");
        return publication;
    }

    private static async Task<IReadOnlyDictionary<string, Publication>> PublishAllAsync()
    {
        var root = Directory.CreateTempSubdirectory("deploy-tests-publish-").FullName;
        var publications = await Task.WhenAll(Deployables.All.Select(d => PublishAsync(d, Path.Combine(root, d.Name))));
        return publications.ToDictionary(p => p.Deployable.Name);
    }

    private static async Task<Publication> PublishAsync(Deployable deployable, string output)
    {
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo("dotnet", [
            "publish", deployable.ProjectFile, "-c", Configuration, "-r", RuntimeIdentifier, "--self-contained", "false", "--no-dependencies", "-o", output,
            // The same sources passed the analyzers in the build these tests run from: no second pass.
            "-p:RunAnalyzers=false",
            "--nologo", "-v", "q", "--disable-build-servers", "-nodeReuse:false",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Publication(deployable, output, process.ExitCode, await stdout + await stderr, clock.Elapsed);
    }
}

public sealed record Publication(Deployable Deployable, string Directory, int ExitCode, string Output, TimeSpan Took)
{
    /// <summary>The apphost the image's entry point links to (<c>/app/service</c> → <c>/app/Streaming.&lt;Project&gt;</c>).</summary>
    public string AppHost => Path.Combine(Directory, Deployable.AssemblyName);
}

/// <summary>A published deployable running as a process of its own, its console read line by line.</summary>
public sealed partial class ServiceProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServiceProcess(Deployable deployable, Process process)
    {
        Deployable = deployable;
        _process = process;
    }

    public Deployable Deployable { get; }

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    public string Output => string.Join('\n', _lines);

    public static ServiceProcess Start(Publication publication, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(publication.AppHost)
        {
            WorkingDirectory = publication.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var service = new ServiceProcess(publication.Deployable, Process.Start(start)!);
        service._process.OutputDataReceived += (_, e) => service.Collect(e.Data);
        service._process.ErrorDataReceived += (_, e) => service.Collect(e.Data);
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        return service;
    }

    /// <summary>What Kubernetes sends first when it stops a pod.</summary>
    public void Terminate() => Assert.True(Kill(_process.Id, SigTerm) == 0, $"kill -TERM {_process.Id} failed ({Marshal.GetLastPInvokeError()}).");

    /// <summary>Waits for the process to end; false when it still runs after <paramref name="within"/>.</summary>
    public async Task<bool> ExitedWithinAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            // The last lines arrive after the exit: WaitForExit without a timeout waits for the streams' end.
            _process.WaitForExit();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>Console lines with their category: the console logger writes the message on the line after the category.</summary>
public static class ConsoleText
{
    public static string Flatten(string output)
    {
        var text = new StringBuilder();
        foreach (var line in output.Split('\n'))
        {
            text.Append(line.StartsWith("      ", StringComparison.Ordinal) ? " " + line.Trim() : "\n" + line);
        }

        return text.ToString();
    }
}
