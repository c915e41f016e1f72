using System.Diagnostics;

namespace Streaming.Replay.Tests;

/// <summary>The replay tool as a user runs it: with the pipeline's configuration in a file, in this process or as a process of its own.</summary>
public sealed class ReplayTool : IDisposable
{
    private readonly string _configFile = Path.Combine(Path.GetTempPath(), $"replay-config-{Guid.NewGuid():N}.json");

    public ReplayTool(IDictionary<string, string?> settings) => Settings = settings;

    /// <summary>The pipeline's settings, written to the config file on each run (a test may change them between runs).</summary>
    public IDictionary<string, string?> Settings { get; }

    public async Task<Result> RunAsync(params string[] args)
    {
        WriteConfig();
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var code = await ReplayCli.RunAsync([.. args, "--config", _configFile], output, error, terminal: false, timeout.Token);
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs the tool and asserts that it finished its work (exit code Done), showing its output when it did not.</summary>
    public async Task<Result> RunDoneAsync(params string[] args)
    {
        var run = await RunAsync(args);
        Assert.True(run.ExitCode == ReplayCli.Done, run.ToString());
        return run;
    }

    /// <summary>Starts the tool as a process of its own (dotnet Streaming.Replay.dll), its standard error read line by line.</summary>
    public Process Start(Action<string> onErrorLine, params string[] args)
    {
        WriteConfig();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Streaming.Replay.dll"), .. args, "--config", _configFile])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                onErrorLine(line);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>The flat settings (A:B:0:C) as the nested JSON an appsettings file has.</summary>
    private void WriteConfig()
    {
        var root = new JsonObject();
        foreach (var (key, value) in Settings)
        {
            var node = root;
            var parts = key.Split(':');
            foreach (var part in parts[..^1])
            {
                node = node[part] as JsonObject ?? (JsonObject)(node[part] = new JsonObject());
            }

            node[parts[^1]] = value;
        }

        // Written whole and then moved into place: runs started at once (the outage test runs two) each
        // read a complete file, never one another run is writing.
        var written = $"{_configFile}.{Guid.NewGuid():N}";
        File.WriteAllText(written, root.ToJsonString());
        File.Move(written, _configFile, overwrite: true);
    }

    public void Dispose() => File.Delete(_configFile);

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";

        /// <summary>A count from the summary, by its label, for example "already_accepted" or "test-shop.myshopify.com checkout".</summary>
        public long Count(string label)
        {
            foreach (var line in Output.Split('\n'))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith(label + ":", StringComparison.Ordinal) && long.TryParse(trimmed[(label.Length + 1)..].Trim(), out var count))
                {
                    return count;
                }
            }

            return 0;
        }
    }
}
