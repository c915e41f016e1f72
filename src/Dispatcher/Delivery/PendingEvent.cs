using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using OpenTelemetry.Context.Propagation;
using Streaming.Records;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Dispatcher.Delivery;

/// <summary>An event read from Kafka and not yet finished: delivered, dead-lettered or skipped on purpose.</summary>
public sealed class PendingEvent(ConsumeResult<byte[]?, byte[]> raw, PinterestEvent value, DispatcherShop shop)
{
    private int _abandoned;
    private ActivityContext? _traceContext;

    public ConsumeResult<byte[]?, byte[]> Raw { get; } = raw;

    public PinterestEvent Event { get; } = value;

    public DispatcherShop Shop { get; } = shop;

    // Kept: ConsumeResult.TopicPartition makes a new object on every call, and lanes ask per event.
    public TopicPartition Partition { get; } = raw.TopicPartition;

    public long Offset => Raw.Offset.Value;

    /// <summary>
    /// The trace the record was written in (its W3C <c>traceparent</c> header), or the default context when
    /// it carries none. Read when first asked, by the lane: the poll loop does not pay for it.
    /// </summary>
    public ActivityContext TraceContext => _traceContext ??= Propagators.DefaultTextMapPropagator.Extract(
        default,
        Raw.Message.Headers,
        static (headers, name) => headers is not null && headers.TryGetLastBytes(name, out var bytes) ? [Encoding.UTF8.GetString(bytes)] : []).ActivityContext;

    /// <summary>Requests that carried this event so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Its partition went to another member: whoever owns it now reads the record again.</summary>
    public bool Abandoned => Volatile.Read(ref _abandoned) == 1;

    public void Abandon() => Volatile.Write(ref _abandoned, 1);

    /// <summary>Its outcome is written (delivery record, dead letter where due): nothing more to do.</summary>
    public bool Finished { get; set; }

    /// <summary>Still to be worked on: neither finished nor handed to another member.</summary>
    public bool Open => !Finished && !Abandoned;
}
