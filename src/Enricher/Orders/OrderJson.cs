using System.Text.Json;
using System.Text.RegularExpressions;

namespace Streaming.Enricher.Orders;

/// <summary>How the order mappers read Shopify's JSON: text that is there, objects, and ids kept exact.</summary>
internal static partial class OrderJson
{
    /// <summary>A string property with something in it, else null.</summary>
    public static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    public static string? Text(JsonElement? element, string name) => element is { } e ? Text(e, name) : null;

    public static JsonElement? Object(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    /// <summary>A positive id, as a number or a string, digit for digit: above 2^53 a double would round it.</summary>
    public static string? Id(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.Number when PositiveId().IsMatch(value.GetRawText()) => value.GetRawText(),
            JsonValueKind.String when PositiveId().IsMatch(value.GetString() ?? "") => value.GetString(),
            _ => null,
        } : null;

    /// <summary>1 to 19 digits without a leading zero: what fits a positive signed 64-bit id.</summary>
    [GeneratedRegex("^[1-9][0-9]{0,18}$")]
    public static partial Regex PositiveId();
}
