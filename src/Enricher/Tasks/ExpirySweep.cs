using Streaming.Enricher.Stitching;

namespace Streaming.Enricher.Tasks;

/// <summary>
/// Deletes a task's expired state entries a slice at a time, resuming where the last sweep stopped, so
/// that no sweep reads the whole partition at once. Waiting events never expire: they are released.
/// </summary>
public sealed class ExpirySweep
{
    public const int Slice = 10_000;

    private string? _cursor;

    /// <summary>Returns how many entries were deleted.</summary>
    public async Task<int> SweepAsync(CartStates states)
    {
        var read = 0;
        var deleted = 0;
        string? last = null;
        foreach (var (key, bytes) in states.Scan("", _cursor).Take(Slice).ToList())
        {
            read++;
            last = key;
            if (!key.StartsWith(CartStates.WaitingPrefix, StringComparison.Ordinal) && states.IsExpired(key, await states.DecodeAsync(bytes)))
            {
                states.Delete(key);
                deleted++;
            }
        }

        _cursor = read == Slice ? last : null;
        return deleted;
    }
}
