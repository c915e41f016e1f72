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
        new UserDataPayload(e.UserData.Em.Count > 0 ? e.UserData.Em : null),
        new CustomDataPayload(e.CustomData.Currency, e.CustomData.Value, e.CustomData.OrderId));

    private sealed record Payload(IReadOnlyList<EventPayload> Data);

    private sealed record EventPayload(
        string EventName, string ActionSource, long EventTime, string EventId, UserDataPayload UserData, CustomDataPayload CustomData);

    private sealed record UserDataPayload(IList<string>? Em);

    private sealed record CustomDataPayload(string? Currency, string? Value, string? OrderId);
}
