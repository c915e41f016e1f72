using System.Text.Json;
using System.Text.Json.Serialization;
using Streaming.Records;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>One call to <c>POST /v5/ad_accounts/{id}/events</c>: where it goes and the JSON it carries.</summary>
/// <remarks>The record's <c>ToString</c> leaves the token out: a request may end up in a log or an exception.</remarks>
public sealed record ConversionRequest(string Shop, Uri Url, string? ConversionToken, string Body)
{
    /// <summary>Pinterest's limit on events in one request.</summary>
    public const int MaxEvents = 1000;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

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
        var body = JsonSerializer.Serialize(new Payload(events.Select(e => Event(e, withMarket)).ToList()), Json);
        return new ConversionRequest(
            ServiceDefaults.Shops.Shop.Normalize(shop.Domain),
            new Uri(new Uri(baseUrl.ToString().TrimEnd('/') + "/"), path),
            string.IsNullOrWhiteSpace(shop.Pinterest.ConversionToken) ? null : shop.Pinterest.ConversionToken,
            body);
    }

    private static EventPayload Event(PinterestEvent e, bool withMarket) => new(
        e.EventName,
        e.ActionSource,
        e.EventTime,
        e.EventId,
        new UserDataPayload(
            OrNull(e.UserData.Em), OrNull(e.UserData.Ph), OrNull(e.UserData.Fn), OrNull(e.UserData.Ln), OrNull(e.UserData.Ct),
            OrNull(e.UserData.St), OrNull(e.UserData.Zp), OrNull(e.UserData.Country), OrNull(e.UserData.ExternalId),
            e.UserData.ClientIpAddress, e.UserData.ClientUserAgent, e.UserData.ClickId),
        new CustomDataPayload(
            e.CustomData.Currency, e.CustomData.Value, e.CustomData.OrderId, OrNull(e.CustomData.ContentIds), e.CustomData.NumItems,
            e.CustomData.Contents.Count > 0 ? e.CustomData.Contents.Select(c => new ContentPayload(c.Id, c.ItemPrice, c.Quantity, c.ItemName, c.ItemBrand)).ToList() : null,
            e.CustomData.SearchString,
            e.CustomData.OptOutType,
            withMarket ? e.MarketId : null,
            withMarket ? e.MarketHandle : null),
        e.EventSourceUrl,
        e.OptOut);

    /// <summary>The bytes the event takes in a request's body (see <see cref="RequestSize"/>).</summary>
    public static int Bytes(PinterestEvent e, bool withMarket) => JsonSerializer.SerializeToUtf8Bytes(Event(e, withMarket), Json).Length;

    // Pinterest wants a key left out rather than sent empty.
    private static IList<string>? OrNull(IList<string> values) => values.Count > 0 ? values : null;

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

    public override string ToString() => $"ConversionRequest {{ Shop = {Shop}, Url = {Url}, Bytes = {Body.Length} }}";

    private sealed record Payload(IReadOnlyList<EventPayload> Data);

    private sealed record EventPayload(
        string EventName, string ActionSource, long EventTime, string EventId, UserDataPayload UserData, CustomDataPayload CustomData,
        string? EventSourceUrl, bool? OptOut);

    private sealed record UserDataPayload(
        IList<string>? Em, IList<string>? Ph, IList<string>? Fn, IList<string>? Ln, IList<string>? Ct, IList<string>? St, IList<string>? Zp,
        IList<string>? Country, IList<string>? ExternalId, string? ClientIpAddress, string? ClientUserAgent, string? ClickId);

    private sealed record CustomDataPayload(
        string? Currency, string? Value, string? OrderId, IList<string>? ContentIds, long? NumItems, IList<ContentPayload>? Contents,
        string? SearchString, string? OptOutType, string? MarketId, string? MarketHandle);

    private sealed record ContentPayload(string Id, string? ItemPrice, long? Quantity, string? ItemName, string? ItemBrand);
}
