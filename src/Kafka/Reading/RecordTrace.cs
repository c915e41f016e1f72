using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using OpenTelemetry.Context.Propagation;

namespace Streaming.Kafka.Reading;

/// <summary>The trace a record was written in, as its writer put it in the headers (W3C traceparent).</summary>
public static class RecordTrace
{
    public static ActivityContext Extract(Headers? headers) =>
        Propagators.DefaultTextMapPropagator.Extract(
            default,
            headers,
            static (h, name) => h is not null && h.TryGetLastBytes(name, out var bytes) ? [Encoding.UTF8.GetString(bytes)] : []).ActivityContext;

    /// <summary>
    /// The links of a span that handles several records at once: every distinct trace context of
    /// <paramref name="parents"/> except <paramref name="parent"/>, the one the span is a child of.
    /// </summary>
    public static IEnumerable<ActivityLink> LinksBeside(ActivityContext parent, IEnumerable<ActivityContext> parents) =>
        parents.Where(c => c != default && c != parent).Distinct().Select(c => new ActivityLink(c));
}
