using System.Text.RegularExpressions;

namespace Streaming.Enricher.Orders;

/// <summary>How the order mappers read Shopify's JSON: text that is there, objects, and ids kept exact.</summary>
internal static partial class OrderJson
{
    /// <summary>A string property with something in it, else null.</summary>
    public static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { } text && !string.IsNullOrWhiteSpace(text)
            ? text
            : null;

    public static string? Text(JsonElement? element, string name) => element is { } e ? Text(e, name) : null;

    public static JsonElement? Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    public static JsonElement? Object(JsonElement? element, string name) => element is { } e ? Object(e, name) : null;

    public static IEnumerable<JsonElement> Objects(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Object)
            : [];

    /// <summary>
    /// An amount as Pinterest wants it, a decimal string, from a string (webhooks) or a number (pixel);
    /// null when absent; throws when it is there but not an amount.
    /// </summary>
    public static string? Amount(JsonElement? value, string what)
    {
        if (value is not { } v || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        };
        return text is not null && DecimalText().IsMatch(text)
               && decimal.TryParse(text, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var amount)
            ? amount.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : throw new UnmappableWebhookException($"{what} has the amount {Quote(v.GetRawText())}, which is not an amount (a decimal number).");
    }

    /// <summary>The page a Web Pixels event happened on: <c>context.document.location.href</c>.</summary>
    public static string? PageUrl(JsonElement pixelEvent) =>
        Text(Object(Object(Object(pixelEvent, "context"), "document"), "location"), "href");

    // Shopify began in 2006; a time stamped earlier, or more than a day ahead, is not a real time.
    private static readonly DateTimeOffset Earliest = new(2006, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>An ISO 8601 time from 2006 up to a day ahead of <paramref name="now"/>; null when it is not one.</summary>
    public static DateTimeOffset? PlausibleTime(string? text, DateTimeOffset now) =>
        text is not null && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
                         && time >= Earliest && time <= now.AddDays(1)
            ? time
            : null;

    public static JsonElement? Property(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) ? value : null;

    // Error messages quote input: short, so a 300-character value cannot flood a dead letter.
    public static string Quote(string text) => text.Length <= 40 ? $"'{text}'" : $"'{text[..40]}…' ({text.Length} characters)";

    [GeneratedRegex(@"^[0-9]{1,15}(\.[0-9]{1,6})?$")]
    private static partial Regex DecimalText();

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
