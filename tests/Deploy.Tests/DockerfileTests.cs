using System.Xml.Linq;

namespace Streaming.Deploy.Tests;

/// <summary>
/// The Dockerfile and .dockerignore, read as text: what can be checked without a Docker engine. The
/// image is built and run in the CI workflow (.github/workflows/deploy.yml) only.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] OnTheVolume = ["Enricher__State__Directory", "Dispatcher__State__Directory", "Pinterest__DryRunFile"];
    private readonly Dockerfile _dockerfile = Dockerfile.Parse();

    [Fact]
    public void It_builds_with_Microsofts_SDK_image_and_runs_on_its_ASP_NET_Core_image_of_the_target_framework()
    {
        var framework = Regex.Match(Repository.Read("Directory.Build.props"), @"<TargetFramework>net(\d+\.\d+)</TargetFramework>").Groups[1].Value;

        Assert.Equal([$"mcr.microsoft.com/dotnet/sdk:{framework}", $"mcr.microsoft.com/dotnet/aspnet:{framework}"], _dockerfile.BaseImages.Select(i => i.Split('@')[0]));
        // A default pinned in the file, or a pin passed with --build-arg as the release does, is a whole sha256 digest.
        Assert.All(_dockerfile.BaseImages.Where(i => i.Contains('@', StringComparison.Ordinal)), i => Assert.Matches("@sha256:[0-9a-f]{64}$", i));
    }

    [Fact]
    public void Its_base_images_are_build_arguments_so_that_a_build_can_pin_them_by_digest()
    {
        Assert.Equal(["${SDK_IMAGE}", "${RUNTIME_IMAGE}"], _dockerfile.FromImages);
        Assert.Contains(_dockerfile.ArgumentDefaults.Keys, k => k == "SDK_IMAGE");
        Assert.Contains(_dockerfile.ArgumentDefaults.Keys, k => k == "RUNTIME_IMAGE");
        // The build stage runs the SDK on the builder's platform: no emulated compiler for arm64.
        Assert.StartsWith("--platform=$BUILDPLATFORM ", _dockerfile.Arguments("FROM").First(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("amd64", "linux-x64")]
    [InlineData("arm64", "linux-arm64")]
    [InlineData("386", null)]
    [InlineData("", null)]
    public async Task It_publishes_for_the_runtime_of_the_platform_it_builds_only(string targetArch, string? runtimeIdentifier)
    {
        var pick = Assert.Single(_dockerfile.Arguments("RUN"), r => r.Contains("TARGETARCH", StringComparison.Ordinal));
        var chosen = Path.Combine(Directory.CreateTempSubdirectory("dockerfile-rid-").FullName, "runtime-identifier");

        var (exitCode, error) = await BashAsync(pick.Replace(RuntimeIdentifierFile, chosen, StringComparison.Ordinal), new() { ["TARGETARCH"] = targetArch });

        if (runtimeIdentifier is null)
        {
            Assert.NotEqual(0, exitCode);
            Assert.Contains("linux/amd64 or linux/arm64", error, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(0, exitCode);
        Assert.Equal(runtimeIdentifier, File.ReadAllText(chosen).Trim());
        var restore = Assert.Single(_dockerfile.Arguments("RUN"), r => r.StartsWith("dotnet restore", StringComparison.Ordinal));
        var publish = Assert.Single(_dockerfile.Arguments("RUN"), r => r.StartsWith("dotnet publish", StringComparison.Ordinal));
        Assert.Contains($"-r \"$(cat {RuntimeIdentifierFile})\"", restore, StringComparison.Ordinal);
        Assert.Contains($"-r \"$(cat {RuntimeIdentifierFile})\" --self-contained false", publish, StringComparison.Ordinal);
        Assert.Contains("--no-restore", publish, StringComparison.Ordinal);
    }

    [Fact]
    public void It_runs_as_the_images_non_root_user()
    {
        var user = _dockerfile.Arguments("USER").Last();

        Assert.True(user is "${APP_UID}" or "$APP_UID" || (int.TryParse(user, out var uid) && uid > 0), $"USER {user}");
    }

    [Fact]
    public void Its_settings_are_configuration_keys_of_the_services_and_keep_state_on_the_data_volume()
    {
        var volume = Assert.Single(System.Text.Json.JsonSerializer.Deserialize<string[]>(Assert.Single(_dockerfile.Arguments("VOLUME")))!);
        var environment = _dockerfile.Environment;

        Assert.All(environment.Keys, name => Assert.True(ConfigurationKeys.Known(ConfigurationKeys.FromEnvironmentName(name)), $"ENV {name} is no setting of the services."));
        Assert.All(
            OnTheVolume,
            name => Assert.StartsWith(volume + "/", environment[name], StringComparison.Ordinal));
        Assert.Matches(@"^http://\+:\d+$", environment["ASPNETCORE_URLS"]);
    }

    [Theory]
    [MemberData(nameof(Deployables.Names), MemberType = typeof(Deployables))]
    public void The_build_context_holds_every_file_the_deployable_builds_from(string name)
    {
        var deployable = Deployables.Named(name);
        var copied = _dockerfile.ContextSources.Select(s => s.TrimEnd('/')).ToList();
        var ignored = DockerIgnore();

        Assert.All(copied, c => Assert.True(File.Exists(Repository.File(c)) || Directory.Exists(Repository.File(c)), $"COPY {c}: no such file in the repository."));
        Assert.All(copied, c => Assert.False(ignored.Any(p => p.IsMatch(c)), $"COPY {c}, but .dockerignore excludes it."));
        foreach (var needed in BuildInputs(deployable.ProjectFile))
        {
            var relative = Path.GetRelativePath(Repository.Root, needed).Replace('\\', '/');
            Assert.True(copied.Any(c => relative == c || relative.StartsWith(c + "/", StringComparison.Ordinal)), $"{relative} is not copied into the build stage.");
            Assert.False(ignored.Any(p => p.IsMatch(relative)), $"{relative} is excluded by .dockerignore.");
        }
    }

    [Theory]
    [MemberData(nameof(Deployables.Names), MemberType = typeof(Deployables))]
    public void The_entry_point_starts_the_assembly_the_project_builds(string name)
    {
        var deployable = Deployables.Named(name);
        var assembly = XDocument.Load(deployable.ProjectFile).Descendants("AssemblyName").Single().Value;

        Assert.Equal(deployable.AssemblyName, assembly);
        Assert.Contains(_dockerfile.Arguments("RUN"), r => r.Contains("ln -s \"/app/Streaming.${SERVICE}\" /app/service", StringComparison.Ordinal));
        Assert.Equal("[\"/app/service\"]", _dockerfile.Arguments("ENTRYPOINT").Last());
    }

    private const string RuntimeIdentifierFile = "/tmp/runtime-identifier";

    private static async Task<(int ExitCode, string Error)> BashAsync(string script, Dictionary<string, string> environment)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash", ["-c", script]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await error);
    }

    /// <summary>The project files of the deployable and all it references, the shared build files, and what its projects include from outside their folders.</summary>
    private static IEnumerable<string> BuildInputs(string project)
    {
        yield return Repository.File("global.json");
        yield return Repository.File("Directory.Build.props");
        yield return Repository.File("Directory.Packages.props");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var file))
        {
            if (!seen.Add(file))
            {
                continue;
            }

            yield return file;
            var folder = Path.GetDirectoryName(file)!;
            var xml = XDocument.Load(file);
            foreach (var reference in xml.Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(folder, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
            }

            foreach (var include in xml.Descendants().Where(e => e.Name.LocalName is "EmbeddedResource" or "Content" or "None").Select(e => e.Attribute("Include")?.Value).OfType<string>())
            {
                var path = Path.GetFullPath(Path.Combine(folder, include.Replace('\\', '/')));
                var directory = Path.GetDirectoryName(path)!;
                foreach (var match in Directory.Exists(directory) ? Directory.GetFiles(directory, Path.GetFileName(path)) : [])
                {
                    yield return match;
                }
            }
        }
    }

    /// <summary>.dockerignore's patterns as regular expressions over repository-relative paths (a path is ignored when it or a parent matches).</summary>
    private static List<Regex> DockerIgnore() =>
        [.. Repository.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(p => new Regex("^" + Regex.Escape(p.TrimEnd('/')).Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "(/.*)?$"))];
}
