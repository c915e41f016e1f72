namespace Streaming.Kafka.State;

/// <summary>
/// One partition's state, as a layer of a store stack: RocksDB on disk at the bottom
/// (<see cref="RocksDbStore"/>), a changelog writer above it (<see cref="ChangeLoggingStore"/>), a
/// bounded cache that also holds a batch's changes until the batch is done on top
/// (<see cref="CachingStore"/>). Each layer does one job and hands the rest down.
/// </summary>
public interface IKeyValueStore : IDisposable
{
    byte[]? Read(string key);

    /// <summary>Entries whose key starts with <paramref name="prefix"/>, in ordinal key order, after the key <paramref name="after"/>.</summary>
    IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null);

    /// <summary>
    /// Makes changes (a value, or null to delete) durable in this layer and the ones below; returns the
    /// changelog offset of the last one where a changelog is written.
    /// </summary>
    Task<long?> WriteAsync(IReadOnlyList<KeyValuePair<string, byte[]?>> changes, CancellationToken cancellationToken);
}
