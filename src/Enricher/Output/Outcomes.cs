using Streaming.Enricher.Carts;
using Streaming.Enricher.Orders;
using Streaming.Enricher.Storefront;

namespace Streaming.Enricher.Output;

/// <summary>
/// The enricher's account of an input that was, or would have been, a Pinterest event, as the operator
/// view reads it: built where the decision is taken, written with the batch's events.
/// </summary>
public static class Outcomes
{
    private const string StorefrontPrefix = "storefront/";

    /// <summary>What <c>pipeline.enricher.records</c> calls the input: its webhook topic, or <c>storefront/&lt;event name&gt;</c>.</summary>
    public static string StorefrontInput(string shopifyEventName) => StorefrontPrefix + shopifyEventName;

    public static EnrichmentOutcome Mapped(PinterestEvent pinterestEvent, string input, bool sessionJoined) => new()
    {
        ShopDomain = pinterestEvent.ShopDomain,
        Input = input,
        EventName = pinterestEvent.EventName,
        EventId = pinterestEvent.EventId,
        Outcome = RecordOutcomes.Mapped,
        SessionJoined = sessionJoined,
        ClickId = pinterestEvent.UserData.ClickId is not null,
        OccurredAt = DateTimeOffset.FromUnixTimeSeconds(pinterestEvent.EventTime).UtcDateTime,
    };

    public static EnrichmentOutcome Skipped(string shop, string input, string reason, DateTime occurredAt) =>
        Unsent(shop, input, RecordOutcomes.Skipped, reason, occurredAt);

    public static EnrichmentOutcome DeadLettered(string shop, string input, string reason, DateTime occurredAt) =>
        Unsent(shop, input, RecordOutcomes.DeadLettered, reason, occurredAt);

    /// <summary>The Pinterest event an input stands for, or null where it stands for none (an order update, a checkout link).</summary>
    public static string? EventNameOf(string input) => input switch
    {
        CheckoutEventMapper.OrdersCreate => CheckoutEventMapper.EventName,
        ShopifyTopics.CustomersCreate => PinterestEventNames.Signup,
        _ when AddToCartMapper.IsCartTopic(input) => AddToCartMapper.EventName,
        _ when input.StartsWith(StorefrontPrefix, StringComparison.Ordinal) => StorefrontEventMapper.PinterestName(input[StorefrontPrefix.Length..]),
        _ => null,
    };

    private static EnrichmentOutcome Unsent(string shop, string input, string outcome, string reason, DateTime occurredAt) => new()
    {
        ShopDomain = shop,
        Input = input,
        EventName = EventNameOf(input),
        Outcome = outcome,
        Reason = reason,
        OccurredAt = DateTime.SpecifyKind(occurredAt, DateTimeKind.Utc),
    };
}
