namespace Streaming.Enricher.Stitching;

/// <summary>
/// Puts what the browser session knows onto an event: click id, IP and user agent (each from the session
/// first, else from what the event's own source carried, never invented), the market, and the shopper's
/// consent as the shop's policy wants it handled.
/// </summary>
public static class SessionStitcher
{
    public const string UnassignedMarketHandle = "unassigned_market";
    public const string UnassignedMarketId = "0";

    /// <summary>The event to send, or why none is sent.</summary>
    public static (PinterestEvent? Event, string? SkipReason) Stitch(PinterestEvent pinterestEvent, Session? session, ShopEventOptions policy)
    {
        var user = pinterestEvent.UserData;
        if (session is not null)
        {
            user.ClickId = session.ClickId ?? user.ClickId;
            // IP and user agent describe one browser: take both from the session, or keep both.
            if (session.ClientIp is not null && session.UserAgent is not null)
            {
                user.ClientIpAddress = session.ClientIp;
                user.ClientUserAgent = session.UserAgent;
            }
            else
            {
                user.ClientIpAddress ??= session.ClientIp;
                user.ClientUserAgent ??= session.UserAgent;
            }

            pinterestEvent.EventSourceUrl ??= session.LandingUrl;
            if (!session.MarketingAllowed)
            {
                if (policy.WithoutMarketingConsent == WithoutMarketingConsent.Drop)
                {
                    return (null, SkipReasons.NoMarketingConsent);
                }

                pinterestEvent.OptOut = true;
            }

            if (!session.SaleOfDataAllowed)
            {
                pinterestEvent.CustomData.OptOutType = "LDP";
            }
        }

        pinterestEvent.MarketHandle = session?.MarketHandle ?? UnassignedMarketHandle;
        pinterestEvent.MarketId = session?.MarketHandle is not null ? session.MarketId ?? UnassignedMarketId : UnassignedMarketId;

        // Pinterest refuses an event it cannot match: it needs an e-mail, or IP and user agent together.
        return user.Em.Count == 0 && (user.ClientIpAddress is null || user.ClientUserAgent is null)
            ? (null, SkipReasons.NoMatchKey)
            : (pinterestEvent, null);
    }
}
