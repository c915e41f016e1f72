using System.Buffers;
using System.Text;
using System.Text.Json;
using Streaming.Records;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>One call to <c>POST /v5/ad_accounts/{id}/events</c>: where it goes and the JSON it carries.</summary>
/// <remarks>The record's <c>ToString</c> leaves the token out: a request may end up in a log or an exception.</remarks>
public sealed record ConversionRequest(string Shop, Uri Url, string? ConversionToken, ReadOnlyMemory<byte> Utf8Body)
{
    /// <summary>Pinterest's limit on events in one request.</summary>
    public const int MaxEvents = 1000;

    // One table for both the delivery records' key lists and the operator view's rows.
    private static readonly (string Name, Func<PinterestUserData, bool> Present)[] Keys =
    [
        ("em", u => u.Em.Count > 0),
        ("ph", u => u.Ph.Count > 0),
        ("fn", u => u.Fn.Count > 0),
        ("ln", u => u.Ln.Count > 0),
        ("ct", u => u.Ct.Count > 0),
        ("st", u => u.St.Count > 0),
        ("zp", u => u.Zp.Count > 0),
        ("country", u => u.Country.Count > 0),
        ("external_id", u => u.ExternalId.Count > 0),
        ("client_ip_address", u => u.ClientIpAddress is not null),
        ("client_user_agent", u => u.ClientUserAgent is not null),
        ("click_id", u => u.ClickId is not null),
    ];

    /// <param name="withMarket">
    /// Adds <c>market_id</c> and <c>market_handle</c> to <c>custom_data</c>, as Littledata does. Pinterest's
    /// schema does not list them; an ad account that refuses them gets requests without them.
    /// </param>
    public static ConversionRequest For(DispatcherShop shop, IReadOnlyList<PinterestEvent> events, Uri baseUrl, bool withMarket = true)
    {
        if (events.Count is 0 or > MaxEvents)
        {
            throw new ArgumentOutOfRangeException(nameof(events), events.Count, $"A request carries 1 to {MaxEvents} events.");
        }

        var path = $"v5/ad_accounts/{Uri.EscapeDataString(shop.Pinterest.AdAccountId)}/events{(shop.Pinterest.TestMode ? "?test=true" : "")}";
        // One buffer for the whole body, written once, sent as it is (no UTF-16 copy on the way).
        var body = new ArrayBufferWriter<byte>(events.Count * 512);
        using (var writer = new Utf8JsonWriter(body))
        {
            EventJson.WriteBody(writer, events, withMarket);
        }

        return new ConversionRequest(
            ServiceDefaults.Shops.Shop.Normalize(shop.Domain),
            new Uri(new Uri(baseUrl.ToString().TrimEnd('/') + "/"), path),
            string.IsNullOrWhiteSpace(shop.Pinterest.ConversionToken) ? null : shop.Pinterest.ConversionToken,
            body.WrittenMemory);
    }

    /// <summary>The body as text, for a log line or a test; the request itself is sent as <see cref="Utf8Body"/>.</summary>
    public string Body => Encoding.UTF8.GetString(Utf8Body.Span);

    /// <summary>The bytes the event takes in a request's body (see <see cref="RequestSize"/>).</summary>
    public static int Bytes(PinterestEvent e, bool withMarket) => EventJson.Bytes(e, withMarket);

    /// <summary>The fields Pinterest matches on that an event carried, for the delivery log.</summary>
    public static List<string> MatchKeys(PinterestEvent e)
    {
        var keys = new List<string>();
        foreach (var (name, present) in Keys)
        {
            if (present(e.UserData))
            {
                keys.Add(name);
            }
        }

        return keys;
    }

    /// <summary>Every user_data key Pinterest matches on, in the order the delivery records list them.</summary>
    public static IReadOnlyList<string> MatchKeyNames { get; } = [.. Keys.Select(k => k.Name)];

    public override string ToString() => $"ConversionRequest {{ Shop = {Shop}, Url = {Url}, Bytes = {Utf8Body.Length} }}";
}
