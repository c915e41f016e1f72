namespace Streaming.Deploy.Tests;

/// <summary>
/// The Helm chart's files as text and data. The rendered objects come from <see cref="HelmRender"/> (the
/// repository's own renderer, not Helm); the CI workflow runs <c>helm lint</c>,
/// <c>helm template | kubeconform</c> and an install on kind.
/// </summary>
public static partial class Chart
{
    public static JsonObject Values => Yaml.LoadFile(Path.Combine(Repository.Chart, "values.yaml"))!.AsObject();

    public static string SchemaText => File.ReadAllText(Path.Combine(Repository.Chart, "values.schema.json"));

    public static JsonObject Schema => JsonNode.Parse(SchemaText)!.AsObject();

    public static IReadOnlyDictionary<string, string> Templates =>
        Directory.GetFiles(Path.Combine(Repository.Chart, "templates"))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

    /// <summary>The chart's list of deployables (the <c>shopify-pinterest.deployables</c> helper), as data.</summary>
    public static JsonObject DeployablesHelper
    {
        get
        {
            var body = Define().Match(Templates["_helpers.tpl"]);
            Assert.True(body.Success, "_helpers.tpl has no shopify-pinterest.deployables.");
            return Yaml.Load(body.Groups[1].Value)!.AsObject();
        }
    }

    /// <summary>The text of every template with its Go template actions removed, for patterns that sit outside them.</summary>
    public static IEnumerable<(string File, string Text)> TemplateFiles =>
        Templates.Where(t => t.Key.EndsWith(".yaml", StringComparison.Ordinal) || t.Key.EndsWith(".tpl", StringComparison.Ordinal)).Select(t => (t.Key, t.Value));

    [GeneratedRegex(@"define ""shopify-pinterest\.deployables"" -\}\}\n(.*?)\{\{- end \}\}", RegexOptions.Singleline)]
    private static partial Regex Define();
}
