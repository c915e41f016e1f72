using System.Text;
using Streaming.Enricher.Hashing;
using Streaming.Enricher.Orders;
using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher.Privacy;

/// <summary>
/// A Shopify compliance request as its body names the subject: <c>customers/redact</c> and
/// <c>customers/data_request</c> a customer (id, e-mail, phone) and their orders (<c>orders_to_redact</c>,
/// <c>orders_requested</c>); <c>shop/redact</c> a whole shop. Ids are kept as written: above 2^53 a double
/// would round them.
/// </summary>
public sealed record ComplianceRequest(
    string Topic,
    string ShopDomain,
    string RequestId,
    string? CustomerId,
    string? Email,
    string? Phone,
    IReadOnlySet<string> OrderIds,
    string? DataRequestId)
{
    public bool WholeShop => Topic == ShopifyTopics.ShopRedact;

    public bool Erases => Topic != ShopifyTopics.CustomersDataRequest;

    public static ComplianceRequest Parse(ShopifyWebhook webhook)
    {
        using var document = CheckoutEventMapper.Parse(webhook);
        var body = document.RootElement;
        var customer = Object(body, "customer");
        var orders = webhook.Topic == ShopifyTopics.CustomersDataRequest ? "orders_requested" : "orders_to_redact";
        var request = new ComplianceRequest(
            webhook.Topic,
            webhook.ShopDomain,
            webhook.WebhookId,
            Id(customer, "id"),
            MatchKeys.Email(Text(customer, "email")),
            Text(customer, "phone"),
            Ids(body, orders),
            Id(Object(body, "data_request"), "id"));
        if (!request.WholeShop && request.CustomerId is null && request.Email is null && request.Phone is null && request.OrderIds.Count == 0)
        {
            throw new UnmappableWebhookException($"The {webhook.Topic} body names no customer (customer.id, customer.email, customer.phone) and no orders ({orders}).");
        }

        return request;
    }

    /// <summary>Whether an order, checkout or cart body is this customer's: by order id, customer id, e-mail or phone.</summary>
    public bool IsCustomers(JsonElement body)
    {
        if (Id(body, "id") is { } id && OrderIds.Contains(id))
        {
            return true;
        }

        var customer = Object(body, "customer");
        return (CustomerId is not null && Id(customer, "id") == CustomerId)
               || (Email is not null && (MatchKeys.Email(Text(body, "email")) == Email || MatchKeys.Email(Text(customer, "email")) == Email
                                         || MatchKeys.Email(Text(body, "contact_email")) == Email))
               || (Phone is not null && (SamePhone(Text(body, "phone")) || SamePhone(Text(customer, "phone"))));
    }

    /// <summary>
    /// Whether a record's raw bytes mention this customer: the e-mail in any case, its SHA-256 (as a
    /// Pinterest event carries it), or the phone as written. For records whose shape is not known here.
    /// </summary>
    public bool IsMentionedIn(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        return (Email is not null && (text.Contains(Email, StringComparison.OrdinalIgnoreCase) || text.Contains(MatchKeys.Sha256Hex(Email), StringComparison.Ordinal)))
               || (Phone is { Length: >= 6 } phone && text.Contains(phone, StringComparison.Ordinal));
    }

    /// <summary>
    /// Whether raw bytes hold one of the orders' ids, or the customer id SHA-256 hashed (Pinterest's
    /// external_id), as a whole run of digits or hex: what a Pinterest event of the customer carries.
    /// </summary>
    public bool NamesAnOrderOrCustomerIn(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        return OrderIds.Any(id => HasWhole(text, id, char.IsAsciiDigit))
               || (CustomerId is not null && HasWhole(text, MatchKeys.Sha256Hex(CustomerId), char.IsAsciiHexDigit));
    }

    private static bool HasWhole(string text, string value, Func<char, bool> partOf)
    {
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            var end = at + value.Length;
            if ((at == 0 || !partOf(text[at - 1])) && (end == text.Length || !partOf(text[end])))
            {
                return true;
            }
        }

        return false;
    }

    private bool SamePhone(string? phone) => phone is not null && Digits(phone) == Digits(Phone!);

    private static string Digits(string phone) => new([.. phone.Where(char.IsAsciiDigit)]);

    private static string? Id(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.String when !string.IsNullOrWhiteSpace(value.GetString()) => MatchKeys.ExternalId(value.GetString()) ?? value.GetString(),
                _ => null,
            }
            : null;

    private static HashSet<string> Ids(JsonElement body, string name)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (body.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Number)
                {
                    ids.Add(item.GetRawText());
                }
                else if (item.ValueKind == JsonValueKind.String && MatchKeys.ExternalId(item.GetString()) is { } id)
                {
                    ids.Add(id);
                }
            }
        }

        return ids;
    }
}
