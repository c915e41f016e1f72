using Avro.Specific;

namespace Streaming.Operator.Tests.Rig;

/// <summary>A record to write to a topic the operator view reads, with the Kafka timestamp it is written with (now, unless said).</summary>
public sealed record Fed(ISpecificRecord Value, string Key, DateTimeOffset? WrittenAt = null)
{
    private static long _ids;

    public static string NewId() => $"ev-{Interlocked.Increment(ref _ids):D6}";

    /// <summary>A delivery record, as the dispatcher writes it, <paramref name="delay"/> after the event happened in the shop.</summary>
    public static Fed Delivery(
        string shop,
        string eventName,
        string status,
        DateTimeOffset answeredAt,
        TimeSpan? delay = null,
        string[]? keys = null,
        string? reason = null,
        string? message = null,
        string? replay = null,
        bool noEventTime = false)
    {
        var id = NewId();
        return new(new PinterestDelivery
        {
            EventId = id,
            ShopDomain = shop,
            AdAccountId = "549755813888",
            EventName = eventName,
            Status = status,
            Message = message,
            Attempts = status == "dry_run" ? 0 : 1,
            LatencyMs = 180,
            MatchKeys = keys ?? ["em"],
            AnsweredAt = answeredAt.UtcDateTime,
            Replay = replay,
            EventTime = noEventTime ? 0 : (answeredAt - (delay ?? TimeSpan.FromSeconds(1))).ToUnixTimeSeconds(),
            DeadLetterReason = reason,
        }, $"{shop}/{id}");
    }

    /// <summary>An enrichment outcome, as the enricher writes it.</summary>
    public static Fed Outcome(
        string shop,
        string input,
        string eventName,
        string outcome,
        DateTimeOffset decidedAt,
        string? reason = null,
        bool joined = false,
        bool clickId = false,
        DateTimeOffset? occurredAt = null) =>
        new(new EnrichmentOutcome
        {
            ShopDomain = shop,
            Input = input,
            EventName = eventName,
            EventId = outcome == "mapped" ? NewId() : null,
            Outcome = outcome,
            Reason = reason,
            SessionJoined = joined,
            ClickId = clickId,
            OccurredAt = (occurredAt ?? decidedAt).UtcDateTime,
            DecidedAt = decidedAt.UtcDateTime,
        }, shop);

    /// <summary>A dead letter keyed like its source record, with a raw value that holds customer data the page must never show.</summary>
    public static Fed DeadLetter(string shop, string service, string reason, string error, DateTimeOffset failedAt, string rawValue) =>
        new(new DeadLetter
        {
            SourceTopic = service == "enricher" ? "shopify.webhooks" : "pinterest.events",
            SourcePartition = 2,
            SourceOffset = 4000 + Interlocked.Increment(ref _ids),
            Key = System.Text.Encoding.UTF8.GetBytes($"{shop}/cart-{NewId()}"),
            Value = System.Text.Encoding.UTF8.GetBytes(rawValue),
            Service = service,
            Reason = reason,
            Error = error,
            FailedAt = failedAt.UtcDateTime,
        }, $"{shop}/{NewId()}");
}
