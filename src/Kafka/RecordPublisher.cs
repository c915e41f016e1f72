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
