using System.Collections;
using System.Reflection;
using Streaming.Contracts;
using Streaming.Kafka;
using Streaming.Kafka.Topics;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Deploy.Tests;

/// <summary>
/// Every configuration key the deployables bind, read off their options classes (each has a
/// <c>Section</c> constant), as patterns: <c>Kafka:Topics:ShopifyWebhooks:Partitions</c>,
/// <c>Shops:&lt;n&gt;:Domain</c> for list items, <c>Kafka:Client:*</c> for free maps. A renamed or removed
/// option changes this catalog, and the tests that hold the compose file, the image and the chart
/// against it fail.
/// </summary>
public static partial class ConfigurationKeys
{
    /// <summary>Keys the host reads itself, not through an options class.</summary>
    public static readonly IReadOnlyList<string> Host =
    [
        "Urls", "Logging:*", "OTEL_EXPORTER_OTLP_ENDPOINT", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS",
        "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT",
    ];

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlySet<string>>> BySection = new(Discover);

    /// <summary>The keys of each section: Kafka, SchemaRegistry, Shops, Telemetry, and each deployable's own.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Sections => BySection.Value;

    /// <summary>The sections whose options class lives in <paramref name="assembly"/>.</summary>
    public static IReadOnlySet<string> SectionsOf(Assembly assembly) =>
        OptionsTypes(assembly).Select(t => t.Section).ToHashSet(StringComparer.Ordinal);

    public static IEnumerable<string> All => Sections.Values.SelectMany(k => k).Concat(Host);

    /// <summary>Whether <paramref name="key"/> (colon-separated, list indexes as numbers) is one the services read.</summary>
    public static bool Known(string key)
    {
        var normalized = Index().Replace(key, ":<n>");
        return All.Any(pattern => pattern.EndsWith('*')
            ? normalized.StartsWith(pattern[..^1], StringComparison.Ordinal) && normalized.Length > pattern.Length - 1
            : string.Equals(pattern, normalized, StringComparison.Ordinal));
    }

    /// <summary>An environment variable's configuration key: <c>Shops__0__Domain</c> is <c>Shops:0:Domain</c>.</summary>
    public static string FromEnvironmentName(string name) => name.Replace("__", ":", StringComparison.Ordinal);

    private static Dictionary<string, IReadOnlySet<string>> Discover()
    {
        // The shared sections live beside the deployables: Kafka's, and the shop list's and Telemetry's (ServiceDefaults).
        var assemblies = Deployables.All.Select(d => d.Assembly).Append(typeof(KafkaOptions).Assembly).Append(typeof(Shop).Assembly).Append(typeof(Replay.ReplayShop).Assembly).Distinct().ToList();
        var sections = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var (section, type) in assemblies.SelectMany(OptionsTypes).DistinctBy(t => t.Section))
        {
            var keys = new SortedSet<string>(StringComparer.Ordinal);
            // The shop list is bound as the section itself (Shops:0:Domain), not through a property, and
            // each service binds its own kind of shop from it: the list's keys are those of every kind.
            if (type == typeof(ShopList<>))
            {
                foreach (var kind in assemblies.SelectMany(a => a.GetTypes()).Where(t => t.IsSubclassOf(typeof(Shop)) && !t.IsAbstract))
                {
                    Walk(kind, $"{section}:<n>", keys);
                }
            }
            else
            {
                Walk(type, section, keys);
            }

            // Topic sections are declared by the record types, not by KafkaOptions.
            if (type == typeof(KafkaOptions))
            {
                foreach (var topic in TopicDeclarations())
                {
                    Walk(typeof(TopicOptions), $"{section}:Topics:{topic.Key}", keys);
                }
            }

            sections[section] = keys;
        }

        return sections;
    }

    private static IEnumerable<(string Section, Type Type)> OptionsTypes(Assembly assembly) =>
        assembly.GetTypes()
            .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
            .Where(t => t.Field is { IsLiteral: true } && t.Field.FieldType == typeof(string))
            .Select(t => ((string)t.Field!.GetRawConstantValue()!, t.Type));

    // The record types declare their topics (Contracts).
    private static IEnumerable<TopicDeclaration> TopicDeclarations() =>
        new[] { typeof(KafkaOptions).Assembly, typeof(TopicDeclaration).Assembly }.Distinct().SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.FieldType == typeof(TopicDeclaration))
            .Select(f => (TopicDeclaration)f.GetValue(null)!);

    private static void Walk(Type type, string prefix, ISet<string> keys)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var key = $"{prefix}:{property.Name}";
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (Leaf(valueType))
            {
                keys.Add(key);
            }
            else if (valueType.IsGenericType && valueType.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                keys.Add($"{key}:*");
            }
            else if (valueType.IsGenericType && typeof(IEnumerable).IsAssignableFrom(valueType))
            {
                var item = valueType.GetGenericArguments()[0];
                if (Leaf(item))
                {
                    keys.Add($"{key}:<n>");
                }
                else
                {
                    Walk(item, $"{key}:<n>", keys);
                }
            }
            else
            {
                Walk(valueType, key, keys);
            }
        }
    }

    private static bool Leaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(decimal);

    [GeneratedRegex(@":\d+(?=:|$)")]
    private static partial Regex Index();
}
