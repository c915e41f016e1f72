using Streaming.Kafka.Avro;
using Streaming.Kafka.State;

namespace Streaming.Enricher.Stitching;

/// <summary>
/// The enricher's state entries of one partition, typed: read (expired entries read as absent), written
/// (Avro in the changelog's wire format, so disk, changelog and any other reader see the same bytes).
/// One instance serves one batch: it keeps what it decoded and wrote, and is dropped with the batch.
/// An entry expires <paramref name="retention"/> after its last change, or its shop's own retention
/// (<paramref name="shopRetention"/>, <c>Shops:N:SessionRetention</c>) where the shop sets one.
/// </summary>
public sealed class CartStates(
    IBatchStore store, AvroSerdes serdes, string changelogTopic, TimeSpan retention, TimeProvider clock, Func<string, TimeSpan?>? shopRetention = null)
{
    public const string WaitingPrefix = "waiting/";

    private readonly Dictionary<string, EnricherState?> _decoded = new(StringComparer.Ordinal);

    public IBatchStore Store { get; } = store;

    public static string Cart(string shop, string cartToken) => RecordKeys.Cart(shop, cartToken);

    public static string CheckoutLink(string shop, string checkoutToken) => $"{shop}/checkout:{checkoutToken}";

    public static string CartlessOrder(string shop, string orderId) => $"{shop}/order:{orderId}";

    /// <summary>
    /// The session of a visitor with no cart or checkout yet (Shopify's <c>clientId</c>): Ingest keys such
    /// events by it, so they meet on one partition; a lead on a first visit finds its landing page's click id here.
    /// </summary>
    public static string Visitor(string shop, string clientId) => $"{shop}/visitor:{clientId}";

    /// <summary>
    /// Ordered by when the wait ends: a release reads only the entries that are due, and what waited
    /// together goes in the order it came.
    /// </summary>
    public static string Waiting(string partitionKey, long dueEventTime, string webhookId) =>
        $"{WaitingPrefix}{dueEventTime:D20}/{partitionKey}/{Uri.EscapeDataString(webhookId)}";

    public async Task<EnricherState?> ReadAsync(string key)
    {
        if (_decoded.TryGetValue(key, out var known))
        {
            return known;
        }

        var bytes = Store.Read(key);
        var state = bytes is null ? null : await DecodeAsync(bytes).ConfigureAwait(false);
        return _decoded[key] = state is null || IsExpired(key, state) ? null : state;
    }

    public Task<EnricherState> DecodeAsync(byte[] bytes) => serdes.DeserializeAsync<EnricherState>(bytes, changelogTopic);

    public bool IsExpired(string key, EnricherState state) =>
        state.Waiting is null && state.UpdatedAt + (long)RetentionOf(key).TotalMilliseconds < clock.GetUtcNow().ToUnixTimeMilliseconds();

    private TimeSpan RetentionOf(string key) =>
        RecordKeys.ShopOf(key) is { } shop && shopRetention?.Invoke(shop) is { } own ? own : retention;

    public async Task WriteAsync(string key, EnricherState state, long eventTimeMs)
    {
        state.UpdatedAt = Math.Max(state.UpdatedAt, eventTimeMs);
        _decoded[key] = state;
        Store.Put(key, await serdes.SerializeAsync(state, changelogTopic).ConfigureAwait(false));
    }

    public void Delete(string key)
    {
        _decoded[key] = null;
        Store.Delete(key);
    }

    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string? after = null) => Store.Scan(prefix, after);
}
