using System.Reflection;

namespace Streaming.Deploy.Tests;

/// <summary>
/// One service that ships as its own image, compose service and chart component. Every test here is
/// driven by <see cref="Deployables.All"/>, so a new deployable is one entry (and a project reference).
/// </summary>
/// <param name="Name">The compose service, the chart's values key and component label, for example <c>ingest</c>.</param>
/// <param name="Project">The folder under <c>src/</c> and the Dockerfile's <c>SERVICE</c> build argument.</param>
/// <param name="ConsumerGroupSetting">The setting that names its consumer group, when it consumes.</param>
/// <param name="StartSettings">Settings it needs to start beyond the shared test settings (a token of its own, say).</param>
public sealed record Deployable(string Name, string Project, string? ConsumerGroupSetting = null, IReadOnlyDictionary<string, string?>? StartSettings = null)
{
    public string AssemblyName => $"Streaming.{Project}";

    public Assembly Assembly => Assembly.Load(AssemblyName);

    public string ProjectFile => Path.Combine(Repository.Root, "src", Project, $"{Project}.csproj");

    public override string ToString() => Name;
}

public static class Deployables
{
    public static readonly IReadOnlyList<Deployable> All =
    [
        new("ingest", "Ingest"),
        new("enricher", "Enricher", "Enricher:GroupId"),
        new("dispatcher", "Dispatcher", "Dispatcher:GroupId"),
        new("operator", "Operator", StartSettings: new Dictionary<string, string?> { ["Operator:Token"] = "deploy-tests-operator-token" }),
    ];

    public static TheoryData<string> Names => new(All.Select(d => d.Name));

    public static Deployable Named(string name) => All.Single(d => d.Name == name);
}

/// <summary>Files of the repository these tests run from (found by walking up to Streaming.sln).</summary>
public static class Repository
{
    private static readonly Lazy<string> Located = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Streaming.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Streaming.sln above {AppContext.BaseDirectory}.");
    });

    public static string Root => Located.Value;

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => System.IO.File.ReadAllText(File(parts));

    public static string Chart => File("deploy", "helm", "shopify-pinterest");
}
