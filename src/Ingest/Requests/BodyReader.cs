using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Streaming.Ingest.Requests;

/// <summary>
/// Reads a request body before anyone is verified: within a size limit, a time limit and the shared
/// <see cref="InFlightBudget"/>. The bytes stay reserved until the returned body is disposed.
/// </summary>
public sealed class BodyReader(InFlightBudget budget)
{
    public async Task<RequestBody> ReadAsync(HttpRequest request, int limit, TimeSpan timeout)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            // One limit, ours: above it the request gets our 413 with its message, not the server's.
            bodyLimit.MaxRequestBodySize = limit + 1L;
        }

        if (request.ContentLength > limit)
        {
            return RequestBody.Failed(BodyFailure.TooLarge);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(request.HttpContext.RequestAborted);
        deadline.CancelAfter(timeout);
        var body = new RequestBody(budget);
        try
        {
            // A declared length is reserved at once, so a crowd of large bodies is turned away before it is read.
            if (request.ContentLength is { } declared && !body.Reserve(declared))
            {
                return body.Fail(BodyFailure.OverBudget);
            }

            var failure = await body.FillAsync(request.Body, limit, deadline.Token);
            return failure is { } f ? body.Fail(f) : body;
        }
        catch (OperationCanceledException) when (!request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return body.Fail(BodyFailure.TimedOut);
        }
        catch (BadHttpRequestException e)
        {
            // Before IOException, which it derives from. Kestrel's own limits: the same size limit on a streamed body, a too slow data rate, a bad chunk.
            return body.Fail(e.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => BodyFailure.TooLarge,
                StatusCodes.Status408RequestTimeout => BodyFailure.TimedOut,
                _ => BodyFailure.Aborted,
            });
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or IOException)
        {
            return body.Fail(BodyFailure.Aborted);
        }
    }
}

public enum BodyFailure
{
    TooLarge,
    OverBudget,
    TimedOut,
    Aborted,
}

/// <summary>A body read into a pooled buffer, holding its share of the budget until disposed.</summary>
public sealed class RequestBody : IDisposable
{
    private const int FirstBufferSize = 16 * 1024;

    private readonly InFlightBudget? _budget;
    private byte[] _buffer = [];
    private long _reserved;

    internal RequestBody(InFlightBudget? budget) => _budget = budget;

    public BodyFailure? Failure { get; private set; }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public byte[] ToArray() => Span.ToArray();

    internal static RequestBody Failed(BodyFailure failure) => new(null) { Failure = failure };

    internal RequestBody Fail(BodyFailure failure)
    {
        Failure = failure;
        Dispose();
        return this;
    }

    internal bool Reserve(long bytes)
    {
        if (_budget is null || bytes <= _reserved)
        {
            return true;
        }

        if (!_budget.TryReserve(bytes - _reserved))
        {
            return false;
        }

        _reserved = bytes;
        return true;
    }

    internal async Task<BodyFailure?> FillAsync(Stream source, int limit, CancellationToken cancellationToken)
    {
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(_reserved, FirstBufferSize), limit + 1L));
        while (true)
        {
            if (Length == _buffer.Length)
            {
                Grow(limit);
            }

            var read = await source.ReadAsync(_buffer.AsMemory(Length), cancellationToken);
            if (read == 0)
            {
                return null;
            }

            Length += read;
            if (Length > limit)
            {
                return BodyFailure.TooLarge;
            }

            if (!Reserve(Length))
            {
                return BodyFailure.OverBudget;
            }
        }
    }

    private void Grow(int limit)
    {
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(_buffer.Length * 2L, limit + 1L));
        _buffer.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            Length = 0;
        }

        if (_reserved > 0)
        {
            _budget?.Release(_reserved);
            _reserved = 0;
        }
    }
}
