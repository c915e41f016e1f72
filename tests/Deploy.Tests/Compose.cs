using System.Diagnostics;

namespace Streaming.Deploy.Tests;

/// <summary>
/// Compose's own validation of a compose file: <c>docker-compose config</c> (Debian's package
/// docker-compose, which .ci/run installs) or the <c>docker compose</c> plugin. Neither needs a Docker
/// engine. Where neither is installed the tests that need it fail and say how to install it, unless
/// <c>DEPLOY_TESTS_WITHOUT_COMPOSE=1</c>: then they are skipped, with that reason.
/// </summary>
public static class Compose
{
    public const string OptOutVariable = "DEPLOY_TESTS_WITHOUT_COMPOSE";

    private static readonly Lazy<string[]?> Command = new(Find);

    public static bool Installed => Command.Value is not null;

    public static bool OptedOut => Environment.GetEnvironmentVariable(OptOutVariable) == "1";

    public static string Missing =>
        "Neither docker-compose nor the docker compose plugin is installed. Install Debian's package "
        + $"(apt-get install -y docker-compose; .ci/run does); to run the other tests without it, set {OptOutVariable}=1.";

    /// <summary>Runs <c>config --quiet</c> on <paramref name="file"/>: exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> ConfigAsync(string file)
    {
        var command = Command.Value ?? throw new InvalidOperationException(Missing);
        var start = new ProcessStartInfo(command[0], [.. command[1..], "--file", file, "config", "--quiet"])
        {
            WorkingDirectory = Path.GetDirectoryName(file)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static string[]? Find()
    {
        foreach (var candidate in new[] { new[] { "docker-compose" }, ["docker", "compose"] })
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(candidate[0], [.. candidate[1..], "version"])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                })!;
                process.WaitForExit();
                if (process.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not on PATH.
            }
        }

        return null;
    }
}

/// <summary>A test that runs Compose's validation: skipped, with the reason, only where Compose is missing and the opt-out is set.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ComposeFactAttribute : FactAttribute
{
    public ComposeFactAttribute()
    {
        if (!Compose.Installed && Compose.OptedOut)
        {
            Skip = $"{Compose.OptOutVariable}=1 and no docker-compose: Compose's validation not run.";
        }
    }
}
