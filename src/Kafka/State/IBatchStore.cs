namespace Streaming.Kafka.State;

/// <summary>
/// One partition's store as a batch handler changes it: reads see the batch's own changes first; the
/// changes are written down together by <see cref="CommitAsync"/> once the batch's output is safe, or
/// forgotten by <see cref="Rollback"/> when the batch has to be tried again.
/// </summary>
public interface IBatchStore
{
    byte[]? Read(string key);

    void Put(string key, byte[] value);

    void Delete(string key);

    /// <summary>Entries whose key starts with <paramref name="prefix"/>, in ordinal key order, after the key <paramref name="after"/>.</summary>
    IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null);

    Task CommitAsync(CancellationToken cancellationToken);

    void Rollback();
}
