using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>
/// Sends one conversion request and sorts Pinterest's answer. It never retries: retrying is the delivery
/// lane's job, the one place that knows the ad account's backoff, pause and rate limit. The HTTP pipeline
/// under it only bounds each attempt and breaks the circuit of an ad account that keeps failing.
/// </summary>
public sealed class PinterestClient(IHttpClientFactory httpClients, TimeProvider clock)
{
    public const string HttpClientName = "pinterest";

    public async Task<PinterestAnswer> SendAsync(ConversionRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Url)
        {
            Content = new StringContent(request.Body, Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", request.ConversionToken);

        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(message, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return Sort(response, body);
        }
        catch (BrokenCircuitException)
        {
            return new PinterestAnswer(AnswerKind.Unavailable, 0, "The circuit for this ad account is open after repeated failures.");
        }
        catch (TimeoutRejectedException)
        {
            return new PinterestAnswer(AnswerKind.Unavailable, 0, "Pinterest did not answer in time.");
        }
        catch (HttpRequestException e)
        {
            return new PinterestAnswer(AnswerKind.Unavailable, 0, $"Pinterest could not be reached: {e.HttpRequestError}.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PinterestAnswer(AnswerKind.Unavailable, 0, "Pinterest did not answer in time.");
        }
    }

    private PinterestAnswer Sort(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        var message = Shorten(ErrorMessage(body) ?? body);
        var retryAfter = RetryAfter(response);
        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => new(AnswerKind.PerEvent, status, "", EventErrors(body) ?? []),
            HttpStatusCode.UnprocessableEntity when EventErrors(body) is { } errors => new(AnswerKind.PerEvent, status, message, errors),
            HttpStatusCode.BadRequest => new(AnswerKind.BadRequest, status, message),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new(AnswerKind.Unauthorized, status, message),
            HttpStatusCode.TooManyRequests => new(AnswerKind.RateLimited, status, message, RetryAfter: retryAfter),
            HttpStatusCode.ServiceUnavailable when ErrorCode(body) == 4197 => new(AnswerKind.RampedDown, status, message, RetryAfter: retryAfter),
            HttpStatusCode.RequestTimeout => new(AnswerKind.Unavailable, status, message, RetryAfter: retryAfter),
            _ when status >= 500 => new(AnswerKind.Unavailable, status, message, RetryAfter: retryAfter),
            _ => new(AnswerKind.Rejected, status, message),
        };
    }

    /// <summary>Retry-After (seconds or a date), else X-RateLimit-Reset (seconds to wait, or a Unix time when it is one).</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            return retryAfter.Delta ?? (retryAfter.Date is { } date ? Positive(date - clock.GetUtcNow()) : null);
        }

        if (response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            && long.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var reset))
        {
            // Small numbers are seconds to wait; large ones a moment in Unix seconds.
            return reset < 1_000_000_000 ? TimeSpan.FromSeconds(reset) : Positive(DateTimeOffset.FromUnixTimeSeconds(reset) - clock.GetUtcNow());
        }

        return null;
    }

    private static TimeSpan Positive(TimeSpan wait) => wait > TimeSpan.Zero ? wait : TimeSpan.Zero;

    private static int? ErrorCode(string body) =>
        Root(body) is { } root && root.TryGetProperty("code", out var code) && code.TryGetInt32(out var value) ? value : null;

    private static string? ErrorMessage(string body) =>
        Root(body) is { } root && root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;

    private static JsonElement? Root(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>For each event of the answer, in request order: null when processed, else Pinterest's error.</summary>
    private static List<string?>? EventErrors(string body)
    {
        if (Root(body) is not { } root || !root.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        return events.EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() == "failed"
                ? (e.TryGetProperty("error_message", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } text ? text : "failed")
                : null)
            .ToList();
    }

    internal static string Shorten(string body) => body.Length <= 500 ? body : body[..500] + "…";
}
