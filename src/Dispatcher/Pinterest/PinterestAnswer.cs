namespace Streaming.Dispatcher.Pinterest;

/// <summary>What Pinterest's answer to a request means for its events.</summary>
public enum AnswerKind
{
    /// <summary>2xx, or 422 with the events listed: each event has its own status.</summary>
    PerEvent,

    /// <summary>400 for the request as a whole: some event in it is invalid, or the request is.</summary>
    BadRequest,

    /// <summary>401 or 403: the shop's conversion token is wrong, expired or not allowed on the ad account.</summary>
    Unauthorized,

    /// <summary>429: too many calls for the ad account.</summary>
    RateLimited,

    /// <summary>5xx, 408, a timeout, a refused or reset connection, an open circuit: the same request may work later.</summary>
    Unavailable,

    /// <summary>503 with code 4197: the endpoint was ramped down on purpose; try again much later.</summary>
    RampedDown,

    /// <summary>Any other answer no retry will change (404, 413, …).</summary>
    Rejected,
}

/// <summary>
/// Pinterest's answer to one request, sorted. <see cref="EventErrors"/> lists, in request order, null for a
/// processed event and Pinterest's message for a failed one. <see cref="RetryAfter"/> is what the answer's
/// headers asked for (Retry-After, X-RateLimit-Reset), if anything.
/// </summary>
public sealed record PinterestAnswer(AnswerKind Kind, int StatusCode, string Message, IReadOnlyList<string?>? EventErrors = null, TimeSpan? RetryAfter = null);
