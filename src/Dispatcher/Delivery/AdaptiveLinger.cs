namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// How long a request gathers, from how busy its ad account is. Pure: the rate, the budget and the
/// configured linger in, a linger out.
/// </summary>
/// <remarks>
/// The rate is that of events arriving for the ad account: the calls it would make if each went at once.
/// (The calls made are no measure of that: under a linger they understate it, and under load full
/// requests keep them low while a thousand events a second arrive.)
/// <list type="bullet">
/// <item>At most <see cref="AtOnceBelow"/> of the budget: each request goes at once. Even one call per event
/// then stays within half the budget, and an event does not wait for company that is not coming. (A
/// quarter was too little: in the end-to-end benchmark an order with its storefront session makes about
/// two events, so 20 orders a second are about 2,400 events a minute, and they waited up to 60 ms.)</item>
/// <item>From there to <see cref="FullFrom"/> of the budget, the linger grows in proportion up to the
/// configured one, so calls per event fall as the rate rises.</item>
/// <item>At the budget and above, the whole configured linger: requests fill up to 1,000 events.</item>
/// <item>A rate not known yet (the lane has less than one window of history, as at a start or after a
/// hand-over, when a backlog may be on its way) gets the whole linger too.</item>
/// </list>
/// The ad account's token bucket (<c>Dispatcher:RequestsPerMinute</c>) bounds the calls whatever the
/// linger: a lane that waits for it gathers what arrives meanwhile into its next request.
/// </remarks>
public static class AdaptiveLinger
{
    /// <summary>Below this share of the budget (in events a minute), requests go at once.</summary>
    public const double AtOnceBelow = 0.5;

    /// <summary>From this share of the budget on, requests gather for the whole configured linger.</summary>
    public const double FullFrom = 1.0;

    /// <param name="eventsPerMinute">The ad account's recent rate of events; null when not known yet.</param>
    /// <param name="budgetPerMinute">Its calls a minute (<c>Dispatcher:RequestsPerMinute</c>).</param>
    /// <param name="linger">The configured linger (<c>Dispatcher:Linger</c>).</param>
    public static TimeSpan Of(double? eventsPerMinute, int budgetPerMinute, TimeSpan linger)
    {
        if (eventsPerMinute is not { } rate || budgetPerMinute <= 0)
        {
            return linger;
        }

        var share = rate / budgetPerMinute;
        if (share <= AtOnceBelow)
        {
            return TimeSpan.Zero;
        }

        return share >= FullFrom ? linger : linger * ((share - AtOnceBelow) / (FullFrom - AtOnceBelow));
    }
}
