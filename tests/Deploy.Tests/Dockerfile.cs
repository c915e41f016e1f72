using System.Text.Json;

namespace Streaming.Deploy.Tests;

/// <summary>
/// The repository's Dockerfile, read instruction by instruction (continuation lines joined, comments
/// dropped). A reading, not a build: Docker itself runs only in the CI workflow.
/// </summary>
public sealed partial record Dockerfile(IReadOnlyList<(string Instruction, string Arguments)> Instructions)
{
    public static Dockerfile Parse(string? text = null)
    {
        text ??= Repository.Read("Dockerfile");
        var instructions = new List<(string, string)>();
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#') && current.Length == 0)
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            if (current.Trim().Length > 0)
            {
                var trimmed = current.Trim();
                var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
                instructions.Add((trimmed[..space].ToUpperInvariant(), trimmed[(space + 1)..].Trim()));
            }

            current = "";
        }

        return new Dockerfile(instructions);
    }

    public IEnumerable<string> Arguments(string instruction) =>
        Instructions.Where(i => i.Instruction == instruction).Select(i => i.Arguments);

    /// <summary>The images of the <c>FROM</c> lines as written (flags such as <c>--platform</c> left out).</summary>
    public IReadOnlyList<string> FromImages =>
        [.. Arguments("FROM").Select(f => f.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(w => !w.StartsWith("--", StringComparison.Ordinal)))];

    /// <summary>The images of the <c>FROM</c> lines, their <c>${ARG}</c>s resolved from the <c>ARG</c> defaults.</summary>
    public IReadOnlyList<string> BaseImages => [.. FromImages.Select(i => Variable().Replace(i, m => ArgumentDefaults.GetValueOrDefault(m.Groups[1].Value, m.Value)))];

    /// <summary>Every <c>ARG name=default</c>.</summary>
    public IReadOnlyDictionary<string, string> ArgumentDefaults =>
        Arguments("ARG").Where(a => a.Contains('=', StringComparison.Ordinal))
            .ToDictionary(a => a[..a.IndexOf('=', StringComparison.Ordinal)], a => a[(a.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    /// <summary>Every <c>ENV</c> name, from both the <c>ENV a=b c=d</c> and the <c>ENV a b</c> forms.</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        Arguments("ENV")
            .SelectMany(e => e.Contains('=', StringComparison.Ordinal)
                ? EnvironmentPair().Matches(e).Select(m => (m.Groups[1].Value, m.Groups[2].Value))
                : [(e.Split(' ', 2)[0], e.Split(' ', 2)[1])])
            .ToDictionary(p => p.Item1, p => p.Item2);

    /// <summary>The sources of the <c>COPY</c> lines that copy from the build context (not <c>--from</c> a stage).</summary>
    public IReadOnlyList<string> ContextSources =>
        [.. Arguments("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal)).SelectMany(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1])];

    public IReadOnlyList<string> HealthCheckCommand
    {
        get
        {
            var check = Assert.Single(Arguments("HEALTHCHECK"));
            var json = check[(check.IndexOf("CMD ", StringComparison.Ordinal) + 4)..];
            return JsonSerializer.Deserialize<string[]>(json)!;
        }
    }

    [GeneratedRegex(@"\$\{(\w+)\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"(\w+)=(""[^""]*""|\S*)")]
    private static partial Regex EnvironmentPair();
}
