using System.Buffers;
using System.IO.Pipelines;
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

        var body = new RequestBody(budget);
        try
        {
            // A declared length is reserved at once, so a crowd of large bodies is turned away before it is read.
            if (request.ContentLength is { } declared && !body.Reserve(declared))
            {
                return body.Fail(BodyFailure.OverBudget);
            }

            // A small body has mostly arrived with the headers: then no timer is set up for it.
            if (body.TryFillAtOnce(request.BodyReader, limit, out var early))
            {
                return early is { } f ? body.Fail(f) : body;
            }

            using var deadline = new CancellationTokenSource(timeout);
            var failure = await body.FillAsync(request.BodyReader, limit, deadline.Token);
            return failure switch
            {
                null => body,
                BodyFailure.TimedOut when request.HttpContext.RequestAborted.IsCancellationRequested => body.Fail(BodyFailure.Aborted),
                { } f => body.Fail(f),
            };
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

/// <summary>
/// A body read into memory, holding its share of the budget until disposed. A body of declared length is
/// read into an array of exactly that size, which the record then takes as it is; a chunked body into a
/// pooled buffer that grows.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private const int FirstBufferSize = 16 * 1024;

    private readonly InFlightBudget? _budget;
    private byte[] _buffer = [];
    private bool _pooled;
    private long _reserved;

    internal RequestBody(InFlightBudget? budget) => _budget = budget;

    public BodyFailure? Failure { get; private set; }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>
    /// The body as an array of its own. Read at its declared length, the array read into is handed over
    /// without a copy: a pooled buffer per request was new memory under load anyway, once more requests
    /// were in flight than the shared pool keeps (Ingest serves hundreds at once), and then copied again.
    /// </summary>
    public byte[] ToArray()
    {
        if (_pooled || Length != _buffer.Length)
        {
            return Span.ToArray();
        }

        var whole = _buffer;
        _buffer = [];
        Length = 0;
        return whole;
    }

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

    /// <summary>
    /// Takes the whole body when the server holds all of it already (or finds it too large); false when more
    /// is to come, then <see cref="FillAsync"/> goes on from where this stopped.
    /// </summary>
    internal bool TryFillAtOnce(PipeReader source, int limit, out BodyFailure? failure)
    {
        failure = null;
        if (!source.TryRead(out var result))
        {
            return false;
        }

        Rent(limit);
        failure = Take(source, result, limit);
        return failure is not null || result.IsCompleted;
    }

    /// <summary>
    /// Reads <paramref name="source"/> to its end. At <paramref name="deadline"/> the pending read is cancelled
    /// through the reader, not by a token: a read a token cancels leaves Kestrel's body reader "in
    /// progress", and Kestrel's later drain of the request fails with an error and a stack trace in the log.
    /// </summary>
    internal async Task<BodyFailure?> FillAsync(PipeReader source, int limit, CancellationToken deadline)
    {
        using var timeout = deadline.Register(source.CancelPendingRead);
        Rent(limit);
        while (true)
        {
            var result = await source.ReadAsync(CancellationToken.None);
            if (result.IsCanceled)
            {
                source.AdvanceTo(result.Buffer.Start);
                return BodyFailure.TimedOut;
            }

            if (Take(source, result, limit) is { } failure)
            {
                return failure;
            }

            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    private void Rent(int limit)
    {
        if (_buffer.Length > 0)
        {
            return;
        }

        if (_reserved > 0 && _reserved <= limit)
        {
            // Declared: Kestrel ends the body at exactly this length or fails the read.
            _buffer = GC.AllocateUninitializedArray<byte>((int)_reserved);
        }
        else
        {
            _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(_reserved, FirstBufferSize), limit + 1L));
            _pooled = true;
        }
    }

    /// <summary>Copies what arrived and tells the reader so; a failure when it breaks a limit.</summary>
    private BodyFailure? Take(PipeReader source, ReadResult result, int limit)
    {
        var arrived = result.Buffer;
        if (Length + arrived.Length > limit)
        {
            source.AdvanceTo(arrived.End);
            return BodyFailure.TooLarge;
        }

        if (Length + arrived.Length > _buffer.Length)
        {
            Grow(Length + (int)arrived.Length, limit);
        }

        arrived.CopyTo(_buffer.AsSpan(Length));
        Length += (int)arrived.Length;
        source.AdvanceTo(arrived.End);
        return Reserve(Length) ? null : BodyFailure.OverBudget;
    }

    private void Grow(int needed, int limit)
    {
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(_buffer.Length * 2L, needed), limit + 1L));
        _buffer.AsSpan(0, Length).CopyTo(larger);
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
        _pooled = true;
    }

    public void Dispose()
    {
        if (_pooled && _buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _pooled = false;
        Length = 0;

        if (_reserved > 0)
        {
            _budget?.Release(_reserved);
            _reserved = 0;
        }
    }
}
