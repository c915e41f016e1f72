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

        HttpResponseMessage response;
        string body;
        try
        {
            response = await httpClients.CreateClient(HttpClientName).SendAsync(message, cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new PinterestUnavailableException($"Pinterest could not be reached: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PinterestUnavailableException("Pinterest did not answer in time.", e);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || status >= 500)
            {
                throw new PinterestUnavailableException($"Pinterest answered {status}: {Shorten(body)}");
            }

            return response.IsSuccessStatusCode
                ? new PinterestAnswer(status, body, EventErrors(body))
                : new PinterestAnswer(status, body, null);
        }
    }

    /// <summary>For each event of a 200 answer, in request order: null when processed, else Pinterest's error.</summary>
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
                .Select(e => e.TryGetProperty("status", out var s) && s.GetString() == "failed"
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
/// Pinterest's final word on a request: accepted (2xx, with per-event errors when it listed any) or
/// rejected (a 4xx that no retry will change).
/// </summary>
public sealed record PinterestAnswer(int StatusCode, string Body, IReadOnlyList<string?>? EventErrors)
{
    public bool Accepted => StatusCode is >= 200 and < 300;
}

/// <summary>Pinterest could not take the request now (network, timeout, 429, 5xx); the same request may succeed later.</summary>
public sealed class PinterestUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
