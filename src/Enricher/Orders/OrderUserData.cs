using Streaming.Enricher.Hashing;
using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher.Orders;

/// <summary>
/// Pinterest's <c>user_data</c> from an order: e-mail and phone, then the billing address, else the
/// shipping address, else the customer's default address; the customer id; and, plain, the IP, user agent
/// and click id the order itself carries (<c>client_details</c>, <c>landing_site</c>, <c>note_attributes</c>).
/// </summary>
internal static class OrderUserData
{
    private static readonly string[] ClickIdAttributes = ["epik", "_epik", "click_id", "pinterest_click_id"];

    public static PinterestUserData From(JsonElement order)
    {
        var customer = Object(order, "customer");
        var address = Object(order, "billing_address") ?? Object(order, "shipping_address") ?? (customer is { } c ? Object(c, "default_address") : null);
        var country = Text(address, "country_code");
        var clientDetails = Object(order, "client_details");
        return new PinterestUserData
        {
            Em = Hashed(MatchKeys.Email, Text(order, "email"), Text(order, "contact_email"), Text(customer, "email")),
            Ph = Hashed(p => MatchKeys.Phone(p, country), Text(order, "phone"), Text(customer, "phone"), Text(address, "phone")),
            Fn = Hashed(MatchKeys.Name, Text(address, "first_name") ?? Text(customer, "first_name")),
            Ln = Hashed(MatchKeys.Name, Text(address, "last_name") ?? Text(customer, "last_name")),
            Ct = Hashed(MatchKeys.City, Text(address, "city")),
            St = Hashed(MatchKeys.State, Text(address, "province_code")),
            Zp = Hashed(z => MatchKeys.Zip(z, country), Text(address, "zip")),
            Country = Hashed(MatchKeys.Country, country),
            ExternalId = Hashed(MatchKeys.ExternalId, customer is { } buyer ? Id(buyer, "id") : null),
            ClientIpAddress = Text(clientDetails, "browser_ip") ?? Text(order, "browser_ip"),
            ClientUserAgent = Text(clientDetails, "user_agent"),
            ClickId = ClickIdFromLandingSite(Text(order, "landing_site")) ?? ClickIdFromNoteAttributes(order),
        };
    }

    /// <summary>The <c>epik</c> parameter of the first page's URL (path and query, or a whole URL).</summary>
    public static string? ClickIdFromLandingSite(string? landingSite)
    {
        var query = landingSite?.IndexOf('?', StringComparison.Ordinal) is >= 0 and var at ? landingSite[(at + 1)..] : null;
        foreach (var pair in (query ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair[..equals] == "epik")
            {
                var value = Uri.UnescapeDataString(pair[(equals + 1)..].Split('#')[0]);
                return value.Length > 0 ? value : null;
            }
        }

        return null;
    }

    private static string? ClickIdFromNoteAttributes(JsonElement order)
    {
        if (!order.TryGetProperty("note_attributes", out var attributes) || attributes.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var attribute in attributes.EnumerateArray())
        {
            if (attribute.ValueKind == JsonValueKind.Object
                && Text(attribute, "name") is { } name && ClickIdAttributes.Contains(name.Trim().ToLowerInvariant())
                && Text(attribute, "value") is { } value)
            {
                return value.Trim();
            }
        }

        return null;
    }

    // Each distinct normalized value once (string equality is ordinal), in the order given. A loop rather than a query: this runs for
    // nine match keys of every order, and the query's iterators and set were most of its allocations.
    private static List<string> Hashed(Func<string?, string?> normalize, params string?[] values)
    {
        var hashed = new List<string>(values.Length);
        var seen = new List<string>(values.Length);
        foreach (var value in values)
        {
            if (normalize(value) is { } normalized && !seen.Contains(normalized))
            {
                seen.Add(normalized);
                hashed.Add(MatchKeys.Sha256Hex(normalized));
            }
        }

        return hashed;
    }
}
