using Microsoft.Extensions.Options;

namespace Streaming.Ingest.Idempotency;

/// <summary>
/// Remembers which webhook deliveries (shop and X-Shopify-Webhook-Id) were stored lately, so that a
/// delivery Shopify sends again is answered 200 without a second record. Memory is bounded: at most
/// <see cref="IngestOptions.MaxRememberedDeliveries"/> ids, each forgotten after
/// <see cref="IngestOptions.DuplicateWindow"/> or when newer ones push it out. What slips through (another
/// instance, a restart) still carries its delivery id in the record, for downstream to drop.
/// </summary>
public sealed class DeliveryDeduplicator(IOptions<IngestOptions> options, TimeProvider clock)
{
    private readonly TimeSpan _window = options.Value.DuplicateWindow;
    private readonly int _capacity = options.Value.MaxRememberedDeliveries;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, long Stamp)> _order = new();
    private long _stamps;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Claims a delivery for storing. While an earlier attempt of the same delivery is still being written
    /// (its ack timed out but the producer still holds it), waits for it up to <paramref name="wait"/>:
    /// stored, this one is a duplicate; failed, this one tries in its place.
    /// </summary>
    public async Task<(DeliveryState State, DeliveryClaim? Claim)> ClaimAsync(string shop, string webhookId, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (_window <= TimeSpan.Zero)
        {
            return (DeliveryState.New, new DeliveryClaim(this, "", 0));
        }

        var key = $"{shop}\n{webhookId}";
        while (true)
        {
            Task<bool> pending;
            lock (_gate)
            {
                Expire(clock.GetUtcNow());
                if (!_entries.TryGetValue(key, out var entry))
                {
                    var stamp = ++_stamps;
                    _entries[key] = new Entry(stamp);
                    _order.Enqueue((key, stamp));
                    return (DeliveryState.New, new DeliveryClaim(this, key, stamp));
                }

                if (!entry.Storing)
                {
                    return (DeliveryState.Duplicate, null);
                }

                // Made only when a second attempt waits, which is rare: not one per delivery.
                entry.Waiting ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                pending = entry.Waiting.Task;
            }

            try
            {
                if (await pending.WaitAsync(wait, clock, cancellationToken).ConfigureAwait(false))
                {
                    return (DeliveryState.Duplicate, null);
                }
            }
            catch (TimeoutException)
            {
                return (DeliveryState.StillStoring, null);
            }
        }
    }

    internal void Complete(string key, long stamp, bool stored)
    {
        TaskCompletionSource<bool>? storing;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry) || entry.Stamp != stamp)
            {
                return;
            }

            storing = entry.Waiting;
            entry.Waiting = null;
            if (stored)
            {
                entry.Expires = clock.GetUtcNow() + _window;
            }
            else
            {
                // Not stored: Shopify will retry, and the retry must be written.
                _entries.Remove(key);
            }
        }

        storing?.TrySetResult(stored);
    }

    /// <summary>Forgets, oldest first, what has expired, and makes room for one more under the cap.</summary>
    private void Expire(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest))
        {
            if (!_entries.TryGetValue(oldest.Key, out var entry) || entry.Stamp != oldest.Stamp)
            {
                // Removed after a failed write; its place in the queue is stale.
                _order.Dequeue();
                continue;
            }

            var expired = !entry.Storing && entry.Expires <= now;
            if (!expired && _entries.Count < _capacity)
            {
                // Claimed in order and kept for the same window: nothing behind the oldest expires sooner,
                // give or take the time a write took.
                return;
            }

            _order.Dequeue();
            _entries.Remove(oldest.Key);
            entry.Waiting?.TrySetResult(false);
        }
    }

    /// <summary>One delivery's place in the window; changed only under the lock.</summary>
    private sealed class Entry(long stamp)
    {
        public long Stamp { get; } = stamp;

        /// <summary>Claimed, and its write has not ended yet: no expiry is set until it is stored.</summary>
        public bool Storing => Expires == DateTimeOffset.MaxValue;

        public DateTimeOffset Expires { get; set; } = DateTimeOffset.MaxValue;

        /// <summary>Completed when the write ends (true: stored), for attempts that wait on it meanwhile.</summary>
        public TaskCompletionSource<bool>? Waiting { get; set; }
    }
}

public enum DeliveryState
{
    /// <summary>Not seen within the window: store it.</summary>
    New,

    /// <summary>Stored within the window: answer 200 without a second record.</summary>
    Duplicate,

    /// <summary>An earlier attempt is still with the producer: neither stored nor failed yet.</summary>
    StillStoring,
}

/// <summary>The right to store one delivery; say how it ended with <see cref="Complete"/>.</summary>
public sealed class DeliveryClaim
{
    private readonly DeliveryDeduplicator _owner;
    private readonly string _key;
    private readonly long _stamp;

    internal DeliveryClaim(DeliveryDeduplicator owner, string key, long stamp)
    {
        _owner = owner;
        _key = key;
        _stamp = stamp;
    }

    public void Complete(bool stored)
    {
        if (_key.Length > 0)
        {
            _owner.Complete(_key, _stamp, stored);
        }
    }

    /// <summary>Completes when the write does: stored only if Kafka acknowledged it, however late.</summary>
    public void CompleteWhen(Task write) =>
        write.ContinueWith(w => Complete(w.IsCompletedSuccessfully), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
