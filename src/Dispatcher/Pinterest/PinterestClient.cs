using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>
/// Sends one conversion request and hands back what came back, unread. It never retries: retrying is the
/// delivery lane's job, the one place that knows the ad account's backoff, pause and rate limit. The HTTP
/// pipeline under it only bounds each attempt and breaks the circuit of an ad account that keeps failing.
/// An answer is read up to <see cref="PinterestOptions.MaxAnswerBytes"/> and within the request timeout.
/// </summary>
public sealed class PinterestClient(IHttpClientFactory httpClients, IOptions<PinterestOptions> options)
{
    public const string HttpClientName = "pinterest";

    private readonly int _maxAnswerBytes = options.Value.MaxAnswerBytes;
    private readonly TimeSpan _timeout = options.Value.RequestTimeout;

    public async Task<PinterestResponse> SendAsync(ConversionRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Url)
        {
            Content = new ReadOnlyMemoryContent(request.Utf8Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } },
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", request.ConversionToken);

        try
        {
            // Headers only: the body is read here, bounded, rather than buffered whole by HttpClient.
            using var response = await httpClients.CreateClient(HttpClientName)
                .SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            // The pipeline's timeout ends with the headers; an answer that trickles in is bounded here.
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            reading.CancelAfter(_timeout);
            var body = await AnswerBody.ReadAsync(response.Content, _maxAnswerBytes, reading.Token);
            return new PinterestResponse.Http((int)response.StatusCode, Headers(response), body);
        }
        catch (BrokenCircuitException)
        {
            return new PinterestResponse.NoAnswer("The circuit for this ad account is open after repeated failures.");
        }
        catch (TimeoutRejectedException)
        {
            return new PinterestResponse.NoAnswer("Pinterest did not answer in time.");
        }
        catch (HttpRequestException e)
        {
            return new PinterestResponse.NoAnswer($"Pinterest could not be reached: {e.HttpRequestError}.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PinterestResponse.NoAnswer("Pinterest did not answer in time.");
        }
        catch (IOException)
        {
            return new PinterestResponse.NoAnswer("Pinterest's answer broke off.");
        }
    }

    private static Dictionary<string, string> Headers(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            headers.TryAdd(name, values.FirstOrDefault() ?? "");
        }

        return headers;
    }
}
