using System.Text.RegularExpressions;
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

        Assert.Equal([$"mcr.microsoft.com/dotnet/sdk:{framework}", $"mcr.microsoft.com/dotnet/aspnet:{framework}"], _dockerfile.BaseImages);
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
