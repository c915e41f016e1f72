using System.Xml.Linq;

namespace Streaming.Deploy.Tests;

/// <summary>
/// Which project may reference which (docs/architecture.md): contracts below plumbing, plumbing below the
/// hosting defaults, the services side by side above them. A service that referenced another would ship
/// its code and settings in the other's image.
/// </summary>
public sealed class ProjectLayoutTests
{
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Contracts"] = [],
        ["Kafka"] = ["Contracts"],
        ["Development"] = ["Kafka"],
        ["ServiceDefaults"] = ["Kafka", "Development"],
        ["Ingest"] = ["ServiceDefaults"],
        ["Enricher"] = ["ServiceDefaults"],
        ["Dispatcher"] = ["ServiceDefaults"],
        ["Operator"] = ["ServiceDefaults"],
        // The operations tool runs the enricher's and the dispatcher's own logic on old records.
        ["Replay"] = ["ServiceDefaults", "Enricher", "Dispatcher"],
        ["Pipeline"] = ["Ingest", "Enricher", "Dispatcher", "Operator"],
    };

    [Fact]
    public void Every_project_under_src_references_only_the_projects_below_it()
    {
        var projects = Directory.GetFiles(Path.Combine(Repository.Root, "src"), "*.csproj", SearchOption.AllDirectories);

        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), projects.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
        foreach (var project in projects)
        {
            var name = Path.GetFileNameWithoutExtension(project);
            var references = XDocument.Load(project).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                .ToList();

            Assert.True(references.All(Allowed[name].Contains), $"{name} references {string.Join(", ", references)}; it may reference only {string.Join(", ", Allowed[name])}.");
        }
    }

    [Fact]
    public void The_operator_view_knows_the_services_only_through_the_contracts()
    {
        var operatorAssembly = typeof(Operator.OperatorShop).Assembly;

        var services = operatorAssembly.GetReferencedAssemblies().Select(a => a.Name).Where(n => n is "Streaming.Enricher" or "Streaming.Dispatcher" or "Streaming.Ingest");

        Assert.Empty(services);
        Assert.Contains(operatorAssembly.GetReferencedAssemblies(), a => a.Name == "Streaming.Contracts");
    }
}
