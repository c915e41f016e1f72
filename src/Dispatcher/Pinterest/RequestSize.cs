namespace Streaming.Dispatcher.Pinterest;

/// <summary>
/// Packs events into requests whose body stays within a number of bytes (Dispatcher:MaxRequestBytes), so
/// that a full request of large events is not refused as a whole for its size.
/// </summary>
public static class RequestSize
{
    // {"data":[ and ]}
    private const int Envelope = 11;

    /// <summary>The bytes of a body carrying events of these sizes, in JSON: the envelope and a comma between two events.</summary>
    public static long Of(IEnumerable<int> eventBytes)
    {
        long total = Envelope - 1;
        foreach (var bytes in eventBytes)
        {
            total += bytes + 1;
        }

        return Math.Max(total, Envelope);
    }

    /// <summary>
    /// Splits <paramref name="items"/>, in order, into the fewest runs of consecutive items whose body fits in
    /// <paramref name="maxBytes"/>. An item too large on its own gets a run of its own.
    /// </summary>
    public static List<List<T>> Pack<T>(IReadOnlyList<T> items, Func<T, int> bytes, int maxBytes)
    {
        var runs = new List<List<T>>();
        var run = new List<T>();
        long size = Envelope;
        foreach (var item in items)
        {
            var itemBytes = bytes(item);
            var added = itemBytes + (run.Count > 0 ? 1 : 0);
            if (run.Count > 0 && size + added > maxBytes)
            {
                runs.Add(run);
                run = [];
                size = Envelope;
                added = itemBytes;
            }

            run.Add(item);
            size += added;
        }

        if (run.Count > 0)
        {
            runs.Add(run);
        }

        return runs;
    }
}
