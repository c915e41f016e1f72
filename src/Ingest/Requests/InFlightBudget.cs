using Microsoft.Extensions.Options;

namespace Streaming.Ingest.Requests;

/// <summary>
/// Bytes of request bodies that all requests together may hold before they are verified. Reserved as
/// bodies arrive and given back when a request ends, so a crowd of slow or bogus senders meets a 503,
/// not an out-of-memory kill.
/// </summary>
public sealed class InFlightBudget(IOptions<IngestOptions> options)
{
    private readonly long _limit = options.Value.MaxBytesInFlight;
    private long _used;
    private long _peak;

    public long Used => Interlocked.Read(ref _used);

    /// <summary>The most bytes held at once since start.</summary>
    public long Peak => Interlocked.Read(ref _peak);

    public long Limit => _limit;

    public bool TryReserve(long bytes)
    {
        var used = Interlocked.Add(ref _used, bytes);
        if (used > _limit)
        {
            Interlocked.Add(ref _used, -bytes);
            return false;
        }

        long peak;
        while (used > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, used, peak) != peak)
        {
        }

        return true;
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
