using System.Collections.Concurrent;
using System.Diagnostics;

namespace Streaming.Deploy.Tests;

/// <summary>
/// The chart rendered by <c>tests/Deploy.Tests/helm-render</c>, a small renderer of this repository's: it
/// is NOT Helm. It runs the templates on Helm's engine (Go's text/template with sprig's functions) with
/// its own versions of Helm's extra functions (include, tpl, toYaml, fromYaml, required, fail, lookup, ...),
/// merges values files as Helm does and checks them against values.schema.json with the JSON-schema
/// library Helm 3 used; it knows no subcharts, hooks or cluster. It is built with Go from Debian's
/// packages (<see cref="DebianPackages"/>, which .ci/run installs), offline, once per test run; without
/// them the tests that render fail and say what to install. The CI workflow still runs the real
/// <c>helm lint</c>, <c>helm template</c> and kubeconform where they are installed.
/// </summary>
public static class HelmRender
{
    public const string DebianPackages =
        "golang-go golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev golang-github-xeipuuv-gojsonschema-dev";

    /// <summary>Where Debian's Go libraries live; the renderer is built in GOPATH mode against them, with no module proxy.</summary>
    private const string DebianGoPath = "/usr/share/gocode";

    public const string ReleaseName = "shop";

    public const string Namespace = "shops";

    private static readonly Lazy<string> Renderer = new(Build);

    private static readonly ConcurrentDictionary<string, Lazy<Rendering>> Renderings = new(StringComparer.Ordinal);

    /// <summary>The chart's ci/ values files, each a render the tests check.</summary>
    public static TheoryData<string> CiValuesFiles =>
        new(Directory.GetFiles(Path.Combine(Repository.Chart, "ci"), "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));

    public static string CiFile(string name) => Path.Combine(Repository.Chart, "ci", name);

    /// <summary>The objects rendered with these arguments (-f files, --set pairs); the render must succeed.</summary>
    public static Rendering Render(params string[] arguments) =>
        Renderings.GetOrAdd(string.Join('\u0001', arguments), _ => new(() =>
        {
            var (exitCode, output, error) = Run(arguments);
            Assert.True(exitCode == 0, $"helm-render {string.Join(' ', arguments)} failed:\n{error}");
            return new Rendering(output, Yaml.LoadAll(output).Select(n => n.AsObject()).ToList());
        })).Value;

    /// <summary>Runs the renderer on the chart: exit code, the YAML stream and what it wrote to stderr.</summary>
    public static (int ExitCode, string Output, string Error) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Renderer.Value)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--name", ReleaseName, "--namespace", Namespace }.Concat(arguments).Append(Repository.Chart))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    private static string Build()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "helm-render", "helm-render");
        var start = new ProcessStartInfo("go", ["build", "-o", output, "./tests/Deploy.Tests/helm-render"])
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Offline, from Debian's packages only: GOPATH mode finds them where Debian puts them.
        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOPATH"] = DebianGoPath;
        start.Environment["GOPROXY"] = "off";
        start.Environment["GOFLAGS"] = "";
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GOCACHE")))
        {
            start.Environment["GOCACHE"] = Path.Combine(Path.GetTempPath(), "streaming-deploy-tests-go-build");
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException(
                $"Go is not installed, so the chart cannot be rendered. Install Debian's packages {DebianPackages} "
                + $"(apt-get install -y {DebianPackages}; .ci/run does).");
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"go build of tests/Deploy.Tests/helm-render failed. It needs Debian's packages {DebianPackages} "
                    + $"(apt-get install -y {DebianPackages}; .ci/run does). go said:\n{error.Result}");
            }
        }

        return output;
    }
}

/// <summary>A rendered chart: its YAML stream and its objects.</summary>
public sealed record Rendering(string Text, IReadOnlyList<JsonObject> Objects)
{
    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => Kind(o) == kind);

    public JsonObject? Named(string kind, string name) => OfKind(kind).SingleOrDefault(o => Name(o) == name);

    /// <summary>The Deployments and StatefulSets.</summary>
    public IEnumerable<JsonObject> Workloads => Objects.Where(o => Kind(o) is "Deployment" or "StatefulSet");

    public static string Kind(JsonObject o) => o["kind"]?.GetValue<string>() ?? "";

    public static string Name(JsonObject o) => o["metadata"]?["name"]?.GetValue<string>() ?? "";

    public static string Describe(JsonObject o) => $"{Kind(o)} {Name(o)}";
}
