using Streaming.Enricher.Orders;
using Streaming.Enricher.Stitching;
using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher.Sessions;

/// <summary>
/// Folds one storefront event into the session of its cart: the latest click id, IP, user agent, consent
/// and market; the first and last time seen and the landing page; and the event ids the pixel gave the
/// Tag for events a server event will stand for later (adds to cart).
/// </summary>
public static class SessionRecorder
{
    public const int MaxPixelEventIds = 100;

    public static Session Record(Session? session, StorefrontEvent storefrontEvent, JsonElement shopifyEvent)
    {
        var at = new DateTimeOffset(storefrontEvent.OccurredAt, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var href = PageUrl(shopifyEvent);
        session ??= new Session { FirstSeen = at, LastSeen = at, LandingUrl = href };
        if (at < session.FirstSeen)
        {
            // Events arrive out of order: the landing page is the earliest one's.
            session.FirstSeen = at;
            session.LandingUrl = href ?? session.LandingUrl;
        }

        var latest = at >= session.LastSeen;
        session.LastSeen = Math.Max(session.LastSeen, at);
        // Without marketing consent the pixel sends no click id, and the page address must not stand in for it.
        var clickId = storefrontEvent.Consent.Marketing ? storefrontEvent.ClickId ?? OrderUserData.ClickIdFromLandingSite(href) : null;
        if (clickId is not null && (latest || session.ClickId is null))
        {
            session.ClickId = clickId;
        }

        if (latest || session.ClientIp is null)
        {
            session.ClientIp = storefrontEvent.ClientIp ?? session.ClientIp;
            session.UserAgent = storefrontEvent.UserAgent ?? session.UserAgent;
        }

        if (latest)
        {
            session.MarketingAllowed = storefrontEvent.Consent.Marketing;
            session.SaleOfDataAllowed = storefrontEvent.Consent.SaleOfData;
        }

        var data = Object(shopifyEvent, "data");
        if (Object(Object(Object(data, "checkout"), "localization"), "market") is { } market && Text(market, "handle") is { } handle)
        {
            session.MarketHandle = handle;
            session.MarketId = EventIds.IdOf(Text(market, "id")) ?? Text(market, "id");
        }

        if (storefrontEvent.EventName == "product_added_to_cart"
            && EventIds.IdOf(Text(Object(Object(data, "cartLine"), "merchandise"), "id")) is { } variant
            && !session.PixelEventIds.Any(p => p.EventId == storefrontEvent.EventId))
        {
            session.PixelEventIds.Add(new PixelEventId { EventName = PinterestEventNames.AddToCart, Subject = variant, EventId = storefrontEvent.EventId });
            while (session.PixelEventIds.Count > MaxPixelEventIds)
            {
                session.PixelEventIds.RemoveAt(0);
            }
        }

        return session;
    }

    /// <summary>Takes the oldest event id the pixel gave the Tag for this kind of event about this subject, if any.</summary>
    public static string? TakePixelEventId(Session? session, string eventName, string subject)
    {
        var found = session?.PixelEventIds.FirstOrDefault(p => p.EventName == eventName && p.Subject == subject);
        if (found is null)
        {
            return null;
        }

        session!.PixelEventIds.Remove(found);
        return found.EventId;
    }
}
