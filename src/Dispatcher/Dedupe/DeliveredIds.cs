using Confluent.Kafka;
using Streaming.Contracts;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.State;
using Streaming.Records;

namespace Streaming.Dispatcher.Dedupe;

/// <summary>
/// The event ids Pinterest accepted, per ad account, in the partition stores of pinterest.events (the
/// enricher's store stack: RocksDB, changelog, cache). An event keeps its partition (its key is shop and
/// event id), so the id is found wherever the partition goes, after a crash, a restart or a replay.
/// Lanes read and write from many threads; each partition's store is used by one at a time.
/// </summary>
public sealed partial class DeliveredIds : IDisposable
{
    private const int SweepSlice = 10_000;

    private readonly PartitionStores _stores;
    private readonly AvroSerdes _serdes;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly object _sync = new();
    private readonly Dictionary<int, SemaphoreSlim> _gates = [];
    private readonly Dictionary<int, string?> _sweepCursor = [];

    // Ids Pinterest accepted whose changelog write failed, per partition (used under the partition's gate).
    // They stay accepted: a retry of their request finds them here instead of sending them again, and they
    // are written before anything else of their partition is read or recorded.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, Dictionary<string, byte[]>> _owed = new();

    public DeliveredIds(PartitionStores stores, AvroSerdes serdes, TimeSpan retention, TimeProvider clock, ILogger<DeliveredIds> logger)
    {
        _logger = logger;
        _stores = stores;
        _serdes = serdes;
        _retention = retention;
        _clock = clock;
    }

    // The dispatcher's stores always have a changelog: it is what makes an accepted id survive a move.
    public string ChangelogTopic => _stores.ChangelogTopic!;

    public long Entries
    {
        get
        {
            lock (_sync)
            {
                return _stores.Open.Values.Sum(s => s.EstimatedKeys);
            }
        }
    }

    public static string Key(string adAccountId, string eventId) => RecordKeys.Delivered(adAccountId, eventId);

    /// <summary>Those of <paramref name="events"/> whose id Pinterest already accepted for the ad account.</summary>
    public async Task<HashSet<(int Partition, string Key)>> AcceptedAsync(IEnumerable<(int Partition, string Key)> events)
    {
        var accepted = new HashSet<(int, string)>();
        foreach (var byPartition in events.GroupBy(e => e.Partition))
        {
            try
            {
                await UseAsync(byPartition.Key, async store =>
                {
                    await PayOwedAsync(byPartition.Key, store, CancellationToken.None).ConfigureAwait(false);
                    foreach (var e in byPartition)
                    {
                        if (store.Read(e.Key) is { } bytes && !await ExpiredAsync(bytes).ConfigureAwait(false))
                        {
                            accepted.Add(e);
                        }
                    }
                }).ConfigureAwait(false);
            }
            catch (PartitionGoneException)
            {
                // Its events were abandoned with it: nobody here sends them.
            }
        }

        return accepted;
    }

    /// <summary>
    /// Remembers accepted ids: on the changelog and on disk when this returns. The partitions are written side
    /// by side (one after another, a request spread over six partitions waited for six changelog
    /// acknowledgements in turn). A partition no longer assigned here is left out: its new owner reads its
    /// records again.
    /// </summary>
    public async Task RecordAsync(IEnumerable<(int Partition, string Key, string Shop)> events, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        await Task.WhenAll(events.GroupBy(e => e.Partition).Select(async byPartition =>
        {
            // The ids of a request share their value (accepted at the same moment, mostly for one shop): each
            // different value is encoded once, not once per id.
            var encoded = new Dictionary<string, byte[]>();
            var values = new Dictionary<string, byte[]>();
            foreach (var e in byPartition)
            {
                if (!encoded.TryGetValue(e.Shop, out var value))
                {
                    encoded[e.Shop] = value = await _serdes.SerializeAsync(new DeliveredEvent { AcceptedAt = now, ShopDomain = e.Shop }, ChangelogTopic).ConfigureAwait(false);
                }

                values[e.Key] = value;
            }

            try
            {
                await UseAsync(byPartition.Key, async store =>
                {
                    var owed = _owed.GetOrAdd(byPartition.Key, _ => []);
                    foreach (var (key, value) in values)
                    {
                        owed[key] = value;
                    }

                    await PayOwedAsync(byPartition.Key, store, cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            catch (PartitionGoneException)
            {
                // Lost meanwhile: its new owner reads these records again, and does not know Pinterest took
                // these. Said aloud, so that the duplicates it may send are traced to this hand-over.
                LogAcceptedAfterHandOver(values.Count, byPartition.Key);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Deletes, from a slice of each partition, the ids older than the retention.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        List<int> partitions;
        lock (_sync)
        {
            partitions = [.. _stores.Open.Keys];
        }

        var deleted = 0;
        foreach (var partition in partitions)
        {
            await UseAsync(partition, async store =>
            {
                string? last = null;
                var read = 0;
                foreach (var (key, bytes) in store.Scan("", _sweepCursor.GetValueOrDefault(partition)).Take(SweepSlice).ToList())
                {
                    read++;
                    last = key;
                    if (await ExpiredAsync(bytes).ConfigureAwait(false))
                    {
                        store.Delete(key);
                        deleted++;
                    }
                }

                _sweepCursor[partition] = read < SweepSlice ? null : last;
                await store.CommitAsync(cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }

        return deleted;
    }

    public void Assigned(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            _stores.Assigned(partitions, cancellationToken);
            foreach (var number in partitions.Select(p => p.Partition.Value))
            {
                _gates.TryAdd(number, new SemaphoreSlim(1, 1));
            }
        }
    }

    public void Revoked(IReadOnlyList<TopicPartition> partitions) => Close(partitions, () => _stores.Revoked(partitions));

    public void Lost(IReadOnlyList<TopicPartition> partitions) => Close(partitions, () => _stores.Lost(partitions));

    private void Close(IReadOnlyList<TopicPartition> partitions, Action close)
    {
        // Waits for a lane that is using a store: closing it under that lane's feet would lose its write.
        var gates = new List<SemaphoreSlim>();
        lock (_sync)
        {
            gates.AddRange(partitions.Select(p => p.Partition.Value).Distinct().Where(_gates.ContainsKey).Select(n => _gates[n]));
        }

        gates.ForEach(g => g.Wait());
        try
        {
            lock (_sync)
            {
                close();
            }

            // The new owner reads these records again; what was owed here is its to send or find.
            foreach (var number in partitions.Select(p => p.Partition.Value))
            {
                _owed.TryRemove(number, out _);
            }
        }
        finally
        {
            gates.ForEach(g => g.Release());
        }
    }

    /// <summary>Writes the accepted ids owed to a partition's changelog; on failure they stay owed, and the caller fails.</summary>
    private async Task PayOwedAsync(int partition, PartitionStore store, CancellationToken cancellationToken)
    {
        if (!_owed.TryGetValue(partition, out var owed) || owed.Count == 0)
        {
            return;
        }

        foreach (var (key, value) in owed)
        {
            store.Put(key, value);
        }

        try
        {
            await store.CommitAsync(cancellationToken).ConfigureAwait(false);
            owed.Clear();
        }
        catch
        {
            store.Rollback();
            throw;
        }
    }

    private async Task UseAsync(int partition, Func<PartitionStore, Task> use)
    {
        SemaphoreSlim? gate;
        lock (_sync)
        {
            _gates.TryGetValue(partition, out gate);
        }

        if (gate is null)
        {
            throw new PartitionGoneException(partition);
        }

        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            PartitionStore? store;
            lock (_sync)
            {
                _stores.Open.TryGetValue(partition, out store);
            }

            await use(store ?? throw new PartitionGoneException(partition)).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<bool> ExpiredAsync(byte[] bytes)
    {
        var entry = await _serdes.DeserializeAsync<DeliveredEvent>(bytes, ChangelogTopic).ConfigureAwait(false);
        return new DateTimeOffset(entry.AcceptedAt, TimeSpan.Zero) + _retention < _clock.GetUtcNow();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pinterest accepted {Count} event id(s) of partition {Partition} after it left this dispatcher; they could not be remembered, and its new owner may send them again")]
    private partial void LogAcceptedAfterHandOver(int count, int partition);

    public void Dispose()
    {
        lock (_sync)
        {
            _stores.Dispose();
            foreach (var gate in _gates.Values)
            {
                gate.Dispose();
            }
        }
    }
}

/// <summary>The partition went to another member while a lane worked on its events.</summary>
public sealed class PartitionGoneException(int partition) : Exception($"Partition {partition} is no longer assigned here.");
