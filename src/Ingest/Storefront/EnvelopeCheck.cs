using System.Globalization;
using System.Text.Json;

namespace Streaming.Ingest.Storefront;

/// <summary>
/// A quick check that an envelope meets <c>collect-envelope.schema.json</c>, written out by hand for the
/// shape nearly every pixel posts. Evaluating the schema with the general evaluator took about a third of
/// the CPU of a <c>/collect</c> request. This check only ever says yes when the schema would: where
/// it is unsure (a string near a length limit, a time in a rarer form, a property twice) it says no, and the
/// schema evaluator decides, as before. <c>EnvelopeCheckTests</c> holds the two to the same verdict.
/// </summary>
internal static class EnvelopeCheck
{
    public static bool IsPlainlyValid(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        bool shop = false, eventId = false, clickId = false, cartToken = false, checkoutToken = false, consent = false, shopifyEvent = false;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            var ok = property.Name switch
            {
                "shop" => Once(ref shop) && IsShopDomain(value),
                "event_id" => Once(ref eventId) && IsText(value, 1, 128),
                "click_id" => Once(ref clickId) && IsTextOrNull(value, 512),
                "cart_token" => Once(ref cartToken) && IsTextOrNull(value, 256),
                "checkout_token" => Once(ref checkoutToken) && IsTextOrNull(value, 256),
                "consent" => Once(ref consent) && IsConsent(value),
                "event" => Once(ref shopifyEvent) && IsShopifyEvent(value),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return shop && eventId && consent && shopifyEvent;
    }

    private static bool IsConsent(JsonElement consent)
    {
        if (consent.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var seen = 0;
        foreach (var property in consent.EnumerateObject())
        {
            var bit = property.Name switch
            {
                "analytics" => 1,
                "marketing" => 2,
                "preferences" => 4,
                "sale_of_data" => 8,
                _ => 0,
            };
            if (bit == 0 || (seen & bit) != 0 || property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return false;
            }

            seen |= bit;
        }

        return seen == 15;
    }

    private static bool IsShopifyEvent(JsonElement shopifyEvent)
    {
        if (shopifyEvent.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var seen = 0;
        foreach (var property in shopifyEvent.EnumerateObject())
        {
            var value = property.Value;
            var (bit, ok) = property.Name switch
            {
                "id" => (1, IsText(value, 1, 256)),
                "name" => (2, IsEventName(value)),
                "timestamp" => (4, IsPlainTime(value)),
                "clientId" => (8, IsText(value, 1, 256)),
                "context" => (16, value.ValueKind == JsonValueKind.Object),
                "data" => (32, value.ValueKind == JsonValueKind.Object),
                // The event is Shopify's: it may carry more than the schema names.
                _ => (0, true),
            };
            if (!ok || (seen & bit) != 0)
            {
                return false;
            }

            seen |= bit;
        }

        return seen == 63;
    }

    private static bool Once(ref bool seen)
    {
        var first = !seen;
        seen = true;
        return first;
    }

    // Lengths are counted in UTF-16 units, which are never fewer than the code points the schema counts:
    // a string within the limit here is within it there. A longer one goes to the evaluator.
    private static bool IsText(JsonElement value, int min, int max) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { } text && text.Length >= min && text.Length <= max;

    private static bool IsTextOrNull(JsonElement value, int max) =>
        value.ValueKind == JsonValueKind.Null || IsText(value, 0, max);

    // ^[A-Za-z0-9][A-Za-z0-9-]{0,99}\.myshopify\.com$
    private static bool IsShopDomain(JsonElement value)
    {
        const string Suffix = ".myshopify.com";
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { } text
            || !text.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return false;
        }

        var name = text.AsSpan(0, text.Length - Suffix.Length);
        if (name.Length is < 1 or > 100 || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name[1..])
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    // ^[a-z][a-z0-9_]{0,63}$
    private static bool IsEventName(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: >= 1 and <= 64 } text || !char.IsAsciiLetterLower(text[0]))
        {
            return false;
        }

        foreach (var c in text.AsSpan(1))
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    // What the pixel sends, Date.prototype.toISOString(): 2026-12-05T06:30:00.123Z, a real date and time.
    private static bool IsPlainTime(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: 24 } text
        && DateTime.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _);
}
