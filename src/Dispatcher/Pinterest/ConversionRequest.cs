using System.Text.Json;
using System.Text.Json.Serialization;
using Streaming.Platform.Shops;
using Streaming.Records;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>One call to <c>POST /v5/ad_accounts/{id}/events</c>: where it goes and the JSON it carries.</summary>
public sealed record ConversionRequest(string Shop, Uri Url, string? ConversionToken, string Body)
{
    /// <summary>Pinterest's limit on events in one request.</summary>
    public const int MaxEvents = 1000;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static ConversionRequest For(ShopOptions shop, IReadOnlyList<PinterestEvent> events, Uri baseUrl)
    {
        if (events.Count is 0 or > MaxEvents)
        {
            throw new ArgumentOutOfRangeException(nameof(events), events.Count, $"A request carries 1 to {MaxEvents} events.");
        }

        var path = $"v5/ad_accounts/{Uri.EscapeDataString(shop.Pinterest.AdAccountId)}/events{(shop.Pinterest.TestMode ? "?test=true" : "")}";
        var body = JsonSerializer.Serialize(new Payload(events.Select(Event).ToList()), Json);
        return new ConversionRequest(
            ShopsOptions.Normalize(shop.Domain),
            new Uri(new Uri(baseUrl.ToString().TrimEnd('/') + "/"), path),
            string.IsNullOrWhiteSpace(shop.Pinterest.ConversionToken) ? null : shop.Pinterest.ConversionToken,
            body);
    }

    private static EventPayload Event(PinterestEvent e) => new(
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
            e.CustomData.OptOutType),
        e.EventSourceUrl,
        e.OptOut);

    // Pinterest wants a key left out rather than sent empty.
    private static IList<string>? OrNull(IList<string> values) => values.Count > 0 ? values : null;

    private sealed record Payload(IReadOnlyList<EventPayload> Data);

    // The market fields stay in our records: Pinterest's event object allows no properties it does not define.
    private sealed record EventPayload(
        string EventName, string ActionSource, long EventTime, string EventId, UserDataPayload UserData, CustomDataPayload CustomData,
        string? EventSourceUrl, bool? OptOut);

    private sealed record UserDataPayload(
        IList<string>? Em, IList<string>? Ph, IList<string>? Fn, IList<string>? Ln, IList<string>? Ct, IList<string>? St, IList<string>? Zp,
        IList<string>? Country, IList<string>? ExternalId, string? ClientIpAddress, string? ClientUserAgent, string? ClickId);

    private sealed record CustomDataPayload(
        string? Currency, string? Value, string? OrderId, IList<string>? ContentIds, long? NumItems, IList<ContentPayload>? Contents,
        string? SearchString, string? OptOutType);

    private sealed record ContentPayload(string Id, string? ItemPrice, long? Quantity, string? ItemName, string? ItemBrand);
}
