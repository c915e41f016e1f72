using System.Globalization;

namespace Streaming.Ingest.Requests;

/// <summary>
/// The reasons Ingest refuses or sets aside a request: the problem title callers see, and the
/// <c>reason</c> tag of the metrics operators count. Contracts, so each is spelled once, here.
/// </summary>
public static class Reasons
{
    public const string InvalidSignature = "invalid_signature";
    public const string MissingHeader = "missing_header";
    public const string RepeatedHeader = "repeated_header";
    public const string InvalidTriggeredAt = "invalid_triggered_at";
    public const string StaleDelivery = "stale_delivery";
    public const string FutureDelivery = "future_delivery";
    public const string InvalidJson = "invalid_json";
    public const string InvalidEnvelope = "invalid_envelope";
    public const string StaleEvent = "stale_event";
    public const string FutureEvent = "future_event";
    public const string BodyTooLarge = "body_too_large";
    public const string RecordTooLarge = "record_too_large";
    public const string BodyTimeout = "body_timeout";
    public const string BodyIncomplete = "body_incomplete";
    public const string Overloaded = "overloaded";
    public const string KafkaUnavailable = "kafka_unavailable";
    public const string SchemaRegistryUnavailable = "schema_registry_unavailable";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string UnknownShop = "unknown_shop";
    public const string OriginNotAllowed = "origin_not_allowed";
    public const string RateLimited = "rate_limited";

    /// <summary>Logged and counted apart from <see cref="InvalidSignature"/>, but answered as it, so that shops cannot be enumerated.</summary>
    public const string BadSignature = "bad_signature";
    public const string MissingSignature = "missing_signature";
}

/// <summary>An RFC 7807 problem answer, with the headers a refusal may need.</summary>
public sealed class Rejection(int status, string reason, string detail) : IResult
{
    public int Status { get; } = status;

    public string Reason { get; } = reason;

    public string Detail { get; } = detail;

    /// <summary>Sent as Retry-After: when a retry has a chance.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Close the connection after answering: the rest of the request is not worth reading.</summary>
    public bool CloseConnection { get; init; }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (RetryAfter is { } retryAfter)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (CloseConnection)
        {
            httpContext.Response.Headers.Connection = "close";
        }

        return Results.Problem(statusCode: Status, title: Reason, detail: Detail).ExecuteAsync(httpContext);
    }
}
