using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Streaming.Deploy.Tests;

/// <summary>
/// YAML read into JSON nodes, with merge keys (<c>&lt;&lt;: *anchor</c>) resolved and plain scalars typed
/// as YAML 1.2's core schema types them (<c>true</c>, <c>6</c>, <c>null</c>); quoted scalars stay strings.
/// That is how Helm and Compose see a file's values, as far as these tests need.
/// </summary>
public static partial class Yaml
{
    public static JsonNode? Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(new StringReader(text))));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    public static JsonNode? LoadFile(string path) => Load(File.ReadAllText(path));

    /// <summary>Every document of a YAML stream (a rendered chart, say), empty documents left out.</summary>
    public static IReadOnlyList<JsonNode> LoadAll(string text)
    {
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(new StringReader(text))));
        return [.. stream.Documents.Select(d => Convert(d.RootNode)).OfType<JsonNode>()];
    }

    /// <summary><paramref name="overlay"/> over <paramref name="target"/>, maps merged key by key, as Helm merges values files.</summary>
    public static JsonNode? Merge(JsonNode? target, JsonNode? overlay)
    {
        if (target is JsonObject to && overlay is JsonObject from)
        {
            foreach (var (key, value) in from.ToList())
            {
                to[key] = Merge(to[key]?.DeepClone(), value?.DeepClone());
            }

            return to;
        }

        return overlay?.DeepClone();
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, Convert(c.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when Integer().IsMatch(text) => JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture)),
            _ when Float().IsMatch(text) => JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture)),
            _ => JsonValue.Create(text),
        };
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
