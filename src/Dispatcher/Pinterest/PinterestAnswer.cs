using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Streaming.Contracts;

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

    /// <summary>413: the request was too large for Pinterest, or for a proxy in front of it.</summary>
    TooLarge,

    /// <summary>Any other answer no retry will change (404, 409, …).</summary>
    Rejected,

    /// <summary>Not sent: written to the dry-run file, as the shop has no conversion token.</summary>
    DryRun,
}

/// <summary>
/// Pinterest's answer to one request, sorted. <see cref="EventErrors"/> lists, in request order, null for a
/// processed event and Pinterest's message for a failed one. <see cref="RetryAfter"/> is what the answer's
/// headers asked for (Retry-After, X-RateLimit-Reset), if anything. Every message is masked
/// (<see cref="PersonalDataMask"/>) here, before a log, a delivery record or a dead letter can carry it:
/// Pinterest quotes the values it refused.
/// </summary>
public sealed record PinterestAnswer(AnswerKind Kind, int StatusCode, string Message, IReadOnlyList<string?>? EventErrors = null, TimeSpan? RetryAfter = null)
{
    /// <summary>Sorts what came back; <paramref name="now"/> turns a Retry-After date into a wait.</summary>
    public static PinterestAnswer Read(PinterestResponse response, DateTimeOffset now) => response switch
    {
        PinterestResponse.Http http => Read(http, now),
        PinterestResponse.NoAnswer none => new(AnswerKind.Unavailable, 0, none.Why),
        PinterestResponse.DryRun => new(AnswerKind.DryRun, 0, ""),
        _ => throw new ArgumentOutOfRangeException(nameof(response), response, "Not a response the dispatcher knows."),
    };

    private static PinterestAnswer Read(PinterestResponse.Http response, DateTimeOffset now)
    {
        var status = response.Status;
        var body = response.Body;
        // Parsed once: an answer to 1,000 events is about 70 KB, and it was parsed (and copied) twice and
        // masked whole for a message no 2xx answer has.
        using var document = Parse(body);
        var root = document?.RootElement is { ValueKind: JsonValueKind.Object } r ? r : (JsonElement?)null;
        if (status is >= 200 and < 300)
        {
            return new(AnswerKind.PerEvent, status, "", EventErrorsOf(root) ?? []);
        }

        // Masked before it is shortened, so that no cut leaves half an address unmasked.
        var message = Shorten(PersonalDataMask.Apply(ErrorMessage(root) ?? body));
        var retryAfter = RetryAfterOf(response.Headers, now);
        return status switch
        {
            422 when EventErrorsOf(root) is { } errors => new(AnswerKind.PerEvent, status, message, errors),
            400 => new(AnswerKind.BadRequest, status, message),
            401 or 403 => new(AnswerKind.Unauthorized, status, message),
            413 => new(AnswerKind.TooLarge, status, message),
            429 => new(AnswerKind.RateLimited, status, message, RetryAfter: retryAfter),
            503 when ErrorCode(root) == 4197 => new(AnswerKind.RampedDown, status, message, RetryAfter: retryAfter),
            408 => new(AnswerKind.Unavailable, status, message, RetryAfter: retryAfter),
            >= 500 => new(AnswerKind.Unavailable, status, message, RetryAfter: retryAfter),
            _ => new(AnswerKind.Rejected, status, message),
        };
    }

    /// <summary>Retry-After (seconds or a date), else X-RateLimit-Reset (seconds to wait, or a Unix time when it is one).</summary>
    private static TimeSpan? RetryAfterOf(IReadOnlyDictionary<string, string> headers, DateTimeOffset now)
    {
        if (headers.TryGetValue("Retry-After", out var text) && RetryConditionHeaderValue.TryParse(text, out var retryAfter))
        {
            return retryAfter.Delta ?? (retryAfter.Date is { } date ? Positive(date - now) : null);
        }

        if (headers.TryGetValue("X-RateLimit-Reset", out var value)
            && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            // Small numbers are seconds to wait; large ones a moment in Unix seconds.
            return reset < 1_000_000_000 ? TimeSpan.FromSeconds(reset) : Positive(DateTimeOffset.FromUnixTimeSeconds(reset) - now);
        }

        return null;
    }

    private static TimeSpan Positive(TimeSpan wait) => wait > TimeSpan.Zero ? wait : TimeSpan.Zero;

    private static int? ErrorCode(JsonElement? root) =>
        root is { } r && r.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var value) ? value : null;

    private static string? ErrorMessage(JsonElement? root) =>
        root is { } r && r.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;

    private static JsonDocument? Parse(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>For each event of the answer, in request order: null when processed, else Pinterest's error.</summary>
    private static List<string?>? EventErrorsOf(JsonElement? root)
    {
        if (root is not { } r || !r.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var errors = new List<string?>(events.GetArrayLength());
        foreach (var e in events.EnumerateArray())
        {
            errors.Add(e.ValueKind == JsonValueKind.Object && e.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String && s.ValueEquals("failed")
                ? (e.TryGetProperty("error_message", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } text ? PersonalDataMask.Apply(text) : "failed")
                : null);
        }

        return errors;
    }

    private static string Shorten(string body) => body.Length <= 500 ? body : body[..500] + "…";
}
