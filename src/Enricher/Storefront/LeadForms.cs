using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher.Storefront;

/// <summary>A newsletter or contact form the storefront submitted, and the e-mail typed into it.</summary>
public sealed record LeadForm(string Kind, string? Email);

/// <summary>
/// Which submitted forms are leads, from the Web Pixels <c>form_submitted</c> event's
/// <c>data.element.elements</c>. Shopify themes post a hidden <c>form_type</c>: <c>customer</c> with
/// <c>contact[tags]</c> holding <c>newsletter</c> (Dawn's newsletter), or <c>contact</c> (the contact page).
/// A login, an account, a search or a cart form is no lead. The pixel applies the same rule
/// (<c>src/Pixel/pixel.js</c>, <c>leadForm</c>) and posts only these three fields; both are pinned by
/// <c>tests/Fixtures/lead-forms.json</c>.
/// </summary>
public static class LeadForms
{
    public const string Newsletter = "newsletter";
    public const string Contact = "contact";

    public static LeadForm? Recognise(JsonElement shopifyEvent)
    {
        var fields = Objects(Object(Object(shopifyEvent, "data"), "element"), "elements").ToList();
        var kind = Value(fields, "form_type") switch
        {
            "contact" => Contact,
            "customer" when (Value(fields, "contact[tags]") ?? "").Split(',').Any(t => t.Trim().Equals(Newsletter, StringComparison.OrdinalIgnoreCase)) => Newsletter,
            _ => null,
        };
        return kind is null ? null : new LeadForm(kind, Email(fields));
    }

    /// <summary>The theme's <c>contact[email]</c>, else the one field typed <c>email</c>: never another field's value.</summary>
    private static string? Email(List<JsonElement> fields) =>
        Value(fields, "contact[email]")
        ?? fields.Where(f => string.Equals(Text(f, "type"), "email", StringComparison.OrdinalIgnoreCase)).Select(f => Text(f, "value")).FirstOrDefault(v => v is not null);

    private static string? Value(List<JsonElement> fields, string name) =>
        fields.Where(f => Text(f, "name") == name).Select(f => Text(f, "value")).FirstOrDefault(v => v is not null);
}
