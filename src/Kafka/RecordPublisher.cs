using System.Diagnostics;
using System.Text;
using Avro.Specific;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using Streaming.Kafka.Avro;

namespace Streaming.Kafka;

/// <summary>
/// Writes Avro record values with UTF-8 string keys through one idempotent producer per process,
/// and carries the current trace along in the record headers.
/// </summary>
public sealed partial class RecordPublisher : IDisposable
{
    private readonly AvroSerdes _serdes;
    private readonly Lazy<IProducer<byte[]?, byte[]>> _producer;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<RecordPublisher> _logger;

    public RecordPublisher(KafkaClientFactory clients, AvroSerdes serdes, IHostApplicationLifetime lifetime, ILogger<RecordPublisher> logger)
    {
        _serdes = serdes;
        _lifetime = lifetime;
        _logger = logger;
        _producer = new(() => clients.CreateProducer($"{Environment.MachineName}-producer", OnError));
    }

    /// <summary>Completes once the cluster acknowledged the record (acks=all); throws <see cref="ProduceException{TKey,TValue}"/> otherwise.</summary>
    public async Task<DeliveryResult<byte[]?, byte[]>> PublishAsync<T>(string topic, string key, T value, CancellationToken cancellationToken)
        where T : ISpecificRecord =>
        await (await EnqueueAsync(topic, key, value, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>
    /// Completes once the record is queued in the producer, behind every record queued before it; the task
    /// it returns completes on the acknowledgement. Lets a batch keep its order without waiting for each
    /// record's round trip.
    /// </summary>
    public async Task<Task<DeliveryResult<byte[]?, byte[]>>> EnqueueAsync<T>(string topic, string key, T value, CancellationToken cancellationToken)
        where T : ISpecificRecord
    {
        var bytes = await _serdes.SerializeAsync(value, topic).ConfigureAwait(false);
        return PublishRawAsync(topic, Encoding.UTF8.GetBytes(key), bytes, cancellationToken);
    }

    /// <summary>
    /// As <see cref="EnqueueAsync{T}(string, string, T, CancellationToken)"/>, to one partition by number
    /// rather than by the key's hash: for a record every partition must see (a compliance request).
    /// </summary>
    public async Task<Task<DeliveryResult<byte[]?, byte[]>>> EnqueueAsync<T>(TopicPartition partition, string key, T value, CancellationToken cancellationToken)
        where T : ISpecificRecord
    {
        var bytes = await _serdes.SerializeAsync(value, partition.Topic).ConfigureAwait(false);
        return _producer.Value.ProduceAsync(partition, new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = bytes, Headers = TraceHeaders() }, cancellationToken);
    }

    /// <summary>
    /// Writes bytes as they are to one partition (a null value is a tombstone): for changelogs, whose
    /// records belong to the partition number of the input they were made from, whatever their key.
    /// </summary>
    public Task<DeliveryResult<byte[]?, byte[]>> PublishRawAsync(TopicPartition partition, byte[] key, byte[]? value, CancellationToken cancellationToken) =>
        _producer.Value.ProduceAsync(partition, new Message<byte[]?, byte[]> { Key = key, Value = value! }, cancellationToken);

    private Task<DeliveryResult<byte[]?, byte[]>> PublishRawAsync(string topic, byte[]? key, byte[] value, CancellationToken cancellationToken) =>
        _producer.Value.ProduceAsync(topic, new Message<byte[]?, byte[]> { Key = key, Value = value, Headers = TraceHeaders() }, cancellationToken);

    /// <summary>
    /// Writes records of one type to a topic, in order, and completes once the cluster acknowledged them
    /// all (acks=all), or fails with the first that failed. The current trace goes in each record's headers.
    /// </summary>
    public async Task PublishAllAsync<T>(string topic, IReadOnlyList<(string Key, T Value)> records, CancellationToken cancellationToken)
        where T : ISpecificRecord
    {
        if (records.Count == 0)
        {
            return;
        }

        var values = new byte[records.Count][];
        for (var i = 0; i < records.Count; i++)
        {
            values[i] = await _serdes.SerializeAsync(records[i].Value, topic).ConfigureAwait(false);
        }

        // One set of headers for the batch: the producer copies them as each record is queued.
        var headers = TraceHeaders();
        var batch = new ProducedBatch(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            if (!Produce(topic, Encoding.UTF8.GetBytes(records[i].Key), values[i], headers, batch))
            {
                break;
            }
        }

        await batch.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes bytes as they are to one partition, in order (a null value is a tombstone), and completes with
    /// the highest offset written once all are acknowledged: for changelogs, written a batch at a time.
    /// </summary>
    public Task<long> PublishRawAllAsync(TopicPartition partition, IReadOnlyList<KeyValuePair<string, byte[]?>> records, CancellationToken cancellationToken)
    {
        var batch = new ProducedBatch(records.Count);
        foreach (var (key, value) in records)
        {
            try
            {
                _producer.Value.Produce(partition, new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = value! }, batch.Report);
            }
            catch (Exception e)
            {
                batch.Fail(e);
                break;
            }
        }

        return batch.Task.WaitAsync(cancellationToken);
    }

    private bool Produce(string topic, byte[] key, byte[] value, Headers headers, ProducedBatch batch)
    {
        try
        {
            _producer.Value.Produce(topic, new Message<byte[]?, byte[]> { Key = key, Value = value, Headers = headers }, batch.Report);
            return true;
        }
        catch (Exception e)
        {
            batch.Fail(e);
            return false;
        }
    }

    private static Headers TraceHeaders()
    {
        var headers = new Headers();
        if (Activity.Current is { } activity)
        {
            Propagators.DefaultTextMapPropagator.Inject(
                new PropagationContext(activity.Context, Baggage.Current),
                headers,
                static (h, name, text) => h.Add(name, Encoding.UTF8.GetBytes(text)));
        }

        return headers;
    }

    // A fatal error (for example a fenced idempotent producer) leaves the producer unusable for good:
    // stopping lets the orchestrator restart the process instead of answering 503 forever.
    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            LogFatal(error.Code, error.Reason);
            _lifetime.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The Kafka producer failed for good ({Code}: {Reason}); stopping the service")]
    private partial void LogFatal(ErrorCode code, string reason);

    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            // Whatever is still queued gets a last chance; callers that awaited a delivery already have it.
            _producer.Value.Flush(TimeSpan.FromSeconds(5));
            _producer.Value.Dispose();
        }
    }
}
