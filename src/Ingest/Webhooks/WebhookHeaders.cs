using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Streaming.Ingest.Webhooks;

/// <summary>The X-Shopify-* headers of one delivery. Names are case-insensitive: HTTP/2 lowercases them.</summary>
internal sealed partial record WebhookHeaders(
    string? Hmac,
    string? Topic,
    string? ShopDomain,
    string? WebhookId,
    string? ApiVersion,
    string? EventId,
    string? TriggeredAt,
    string? Repeated,
    Dictionary<string, string> All)
{
    public const string HmacName = "X-Shopify-Hmac-Sha256";
    public const string TopicName = "X-Shopify-Topic";
    public const string ShopDomainName = "X-Shopify-Shop-Domain";
    public const string WebhookIdName = "X-Shopify-Webhook-Id";
    public const string TriggeredAtName = "X-Shopify-Triggered-At";

    private const string Prefix = "x-shopify-";

    private const string ApiVersionName = "X-Shopify-API-Version";
    private const string EventIdName = "X-Shopify-Event-Id";

    // The names a delivery must carry once, each with its lower-case spelling, which the record keeps: looked
    // up rather than lower-cased per request. None of these ever holds a comma; a comma means two headers
    // were joined into one line.
    private static readonly FrozenDictionary<string, string> Known = new[]
    {
        HmacName, TopicName, ShopDomainName, WebhookIdName, TriggeredAtName, ApiVersionName, EventIdName,
    }.ToFrozenDictionary(name => name, name => name.ToLowerInvariant(), StringComparer.OrdinalIgnoreCase);

    public static WebhookHeaders Read(IHeaderDictionary headers)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        string? repeated = null;
        foreach (var (name, values) in headers)
        {
            if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = values.ToString();
            var known = Known.GetValueOrDefault(name);
            if (values.Count > 1 || (known is not null && value.Contains(',', StringComparison.Ordinal)))
            {
                // Joined, two topics read as "orders/create,orders/create": which one did Shopify mean?
                repeated ??= name;
            }

            all[known ?? name.ToLowerInvariant()] = value;
        }

        return new WebhookHeaders(
            Value(all, HmacName),
            Value(all, TopicName),
            Value(all, ShopDomainName),
            Value(all, WebhookIdName),
            Value(all, ApiVersionName),
            Value(all, EventIdName),
            Value(all, TriggeredAtName),
            repeated,
            all);
    }

    /// <summary>The first header this delivery lacks but needs, or null.</summary>
    public string? FirstMissing() =>
        Topic is null ? TopicName
        : ShopDomain is null ? ShopDomainName
        : WebhookId is null ? WebhookIdName
        : null;

    /// <summary>
    /// An X-Shopify-Triggered-At as Shopify writes it, ISO 8601 in UTC with up to nine fractional digits
    /// (<c>2026-12-04T22:35:00.877041743Z</c>); an offset instead of Z is taken too. Anything else, a
    /// culture's format like <c>12/04/2026 22:35:00</c> included, is no time: which day and zone it meant is a guess.
    /// </summary>
    public static bool TryParseTime(string text, out DateTimeOffset at)
    {
        at = default;
        return IsoTime().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);
    }

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$")]
    private static partial Regex IsoTime();

    private static string? Value(Dictionary<string, string> all, string name) =>
        all.TryGetValue(Known[name], out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
