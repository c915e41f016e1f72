using System.Text.RegularExpressions;

namespace Streaming.Enricher.Tests;

/// <summary>
/// The folders of src/Enricher (one namespace each) depend on one another without a cycle, read from the
/// source: a <c>using</c> of <c>Streaming.Enricher.X</c> (plain, static or alias), a name qualified with it,
/// or <c>X.Name</c> reached through the parent namespace. The project's root folder is not one node but
/// one per file, linked by the names of the types it declares: its composition (the handler, the DI
/// wiring) uses the folders, and its vocabulary (options, outcomes, skip reasons) is used by them, which
/// is no cycle as long as no folder uses the composition.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private const string Root = "Streaming.Enricher";

    [Fact]
    public void No_folder_of_the_enricher_depends_on_itself_through_others()
    {
        var folder = Path.Combine(ShopifySamples.RepositoryRoot(), "src", "Enricher");
        var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path.GetRelativePath(folder, f), File.ReadAllText(f)))
            .ToList();

        var edges = Dependencies(files);

        // The scan sees what is there: these references exist today.
        Assert.Contains(("Carts", "Sessions"), edges);
        Assert.Contains(("Processing", "Stitching"), edges);
        Assert.Contains(("EnrichmentHandler.cs", "Tasks"), edges);
        Assert.Contains(("Processing", "EnricherOptions.cs"), edges);
        Assert.Empty(Cycles(edges));
    }

    [Fact]
    public void Two_folders_that_import_each_other_are_a_cycle()
    {
        var edges = Dependencies([
            ("Carts/A.cs", "using Streaming.Enricher.Sessions;\nnamespace Streaming.Enricher.Carts;\npublic static class A { }"),
            ("Sessions/B.cs", "namespace Streaming.Enricher.Sessions;\n// Carts.A in a comment is no reference.\npublic static class B { const string N = Carts.A.Name; }"),
        ]);

        Assert.Equal(["Carts -> Sessions -> Carts"], Cycles(edges));
    }

    /// <summary>Which node uses which: folders by namespace, the root's files by the types they declare.</summary>
    private static HashSet<(string From, string To)> Dependencies(IReadOnlyList<(string Path, string Text)> files)
    {
        var sources = files.Select(f => (f.Path, Code: WithoutComments(f.Text))).ToList();
        var folders = sources.Select(s => Namespace().Match(s.Code).Groups["sub"].Value).Where(n => n.Length > 0).ToHashSet();
        var rootTypes = sources
            .Where(s => Namespace().Match(s.Code).Groups["sub"].Value.Length == 0)
            .SelectMany(s => TypeDeclaration().Matches(s.Code).Select(m => (Type: m.Groups["name"].Value, File: Path.GetFileName(s.Path))))
            .ToList();
        var relative = new Regex($@"(?<![\w.])({string.Join('|', folders)})\.\w", RegexOptions.None, TimeSpan.FromSeconds(1));

        var edges = new HashSet<(string, string)>();
        foreach (var (path, code) in sources)
        {
            var sub = Namespace().Match(code).Groups["sub"].Value;
            var node = sub.Length > 0 ? sub : Path.GetFileName(path);
            var body = Namespace().Replace(code, "");
            var used = Qualified().Matches(body).Select(m => m.Groups["sub"].Value)
                .Concat(folders.Count > 0 ? relative.Matches(body).Select(m => m.Groups[1].Value) : [])
                .Concat(rootTypes.Where(t => Regex.IsMatch(body, $@"\b{t.Type}\b", RegexOptions.None, TimeSpan.FromSeconds(1))).Select(t => t.File));
            foreach (var target in used.Where(t => t != node))
            {
                edges.Add((node, target));
            }
        }

        return edges;
    }

    /// <summary>Each cycle once, as "A -> B -> A", starting from its first node in ordinal order.</summary>
    private static List<string> Cycles(HashSet<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var cycles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var start in next.Keys.Order(StringComparer.Ordinal))
        {
            var path = new List<string> { start };
            Walk(start);

            void Walk(string node)
            {
                foreach (var to in next.GetValueOrDefault(node) ?? [])
                {
                    if (to == start)
                    {
                        // Reported from its least node only, so a cycle is not listed once per member.
                        if (path.All(p => string.CompareOrdinal(start, p) <= 0))
                        {
                            cycles.Add(string.Join(" -> ", path.Append(start)));
                        }
                    }
                    else if (!path.Contains(to))
                    {
                        path.Add(to);
                        Walk(to);
                        path.RemoveAt(path.Count - 1);
                    }
                }
            }
        }

        return [.. cycles];
    }

    private static string WithoutComments(string code) => Comment().Replace(code, "");

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"^namespace Streaming\.Enricher(\.(?<sub>\w+))?[^;\n]*;", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"\bStreaming\.Enricher\.(?<sub>\w+)\b")]
    private static partial Regex Qualified();

    [GeneratedRegex(@"\b(public|internal|private|protected|file)\b[^\n=;(]*\b(class|interface|record|struct|enum)\s+(?<name>\w+)")]
    private static partial Regex TypeDeclaration();
}
