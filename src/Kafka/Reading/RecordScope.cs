using System.Collections;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streaming.Contracts;

namespace Streaming.Kafka.Reading;

/// <summary>
/// The log scope of one record's handling: where it was read (topic, partition, offset) and, where the
/// reader knows it, its shop. Every line logged meanwhile carries them, so an operator finds all that
/// was said about a record or a shop; the JSON console formatter writes each as a field of the line.
/// </summary>
public sealed class RecordScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _values;

    private RecordScope(TopicPartitionOffset at, string? shop)
    {
        At = at;
        Shop = shop;
        KeyValuePair<string, object?>[] where =
        [
            new("Topic", at.Topic),
            new("Partition", at.Partition.Value),
            new("Offset", at.Offset.Value),
        ];
        _values = shop is null ? where : [new("Shop", shop), .. where];
    }

    public TopicPartitionOffset At { get; }

    public string? Shop { get; }

    public int Count => _values.Length;

    public KeyValuePair<string, object?> this[int index] => _values[index];

    /// <summary>Begins the scope of <paramref name="record"/>; null when the logger keeps no scopes.</summary>
    public static IDisposable? Begin(ILogger logger, ConsumeResult<byte[]?, byte[]> record, string? shop = null) =>
        logger.BeginScope(new RecordScope(record.TopicPartitionOffset, shop));

    /// <summary>The shop a pipeline key (<c>&lt;shop&gt;/...</c>, see <see cref="RecordKeys"/>) names, for readers of such topics.</summary>
    public static string? ShopOfKey(ConsumeResult<byte[]?, byte[]> record) =>
        record.Message?.Key is { Length: > 0 } key ? RecordKeys.ShopOf(Encoding.UTF8.GetString(key)) : null;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // What the simple console formatter prints for the scope.
    public override string ToString() => Shop is null ? At.ToString() : $"{Shop} {At}";
}
