using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>Sends conversion requests to Pinterest and sorts the answer into accepted, rejected or unavailable.</summary>
public sealed class PinterestClient(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "pinterest";

    /// <summary>Throws <see cref="PinterestUnavailableException"/> when the same request may succeed later.</summary>
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
            var status = (int)response.StatusCode;
            if (IsTransient(response.StatusCode, body))
            {
                throw new PinterestUnavailableException($"Pinterest answered {status}: {Shorten(body)}");
            }

            // 422 is a partial failure: the answer lists which events failed, like a 200 does.
            var listsEvents = response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.UnprocessableEntity;
            return new PinterestAnswer(status, body, listsEvents ? EventErrors(body) : null);
        }
        catch (HttpRequestException e)
        {
            throw new PinterestUnavailableException($"Pinterest could not be reached: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PinterestUnavailableException("Pinterest did not answer in time.", e);
        }
    }

    // 503 with code 4197 means the endpoint was ramped down on purpose, not overloaded: waiting for it
    // would hold every event back indefinitely, so it counts as a rejection.
    private static bool IsTransient(HttpStatusCode status, string body) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
        || ((int)status >= 500 && !(status == HttpStatusCode.ServiceUnavailable && ErrorCode(body) == 4197));

    private static int? ErrorCode(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("code", out var code)
                   && code.TryGetInt32(out var value)
                ? value
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>For each event of the answer, in request order: null when processed, else Pinterest's error.</summary>
    private static List<string?>? EventErrors(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            return events.EnumerateArray()
                .Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() == "failed"
                    ? (e.TryGetProperty("error_message", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } text ? text : "failed")
                    : null)
                .ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string Shorten(string body) => body.Length <= 500 ? body : body[..500] + "…";
}

/// <summary>
/// Pinterest's final word on a request: accepted (2xx) or rejected (an answer no retry will change), with
/// an error per event where Pinterest listed the events (2xx and 422).
/// </summary>
public sealed record PinterestAnswer(int StatusCode, string Body, IReadOnlyList<string?>? EventErrors)
{
    public bool Accepted => StatusCode is >= 200 and < 300;
}

/// <summary>Pinterest could not take the request now (network, timeout, 429, 5xx); the same request may succeed later.</summary>
public sealed class PinterestUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
