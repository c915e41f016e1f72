using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Streaming.Enricher.Tracing;

/// <summary>
/// W3C trace contexts as the enricher keeps them: read off a record's headers, where
/// <c>RecordPublisher</c> put them, and written into a waiting webhook's state and read back from it, so
/// that a release minutes later, or after a restart, continues the webhook's trace.
/// </summary>
public static class TraceContexts
{
    public const string TraceparentHeader = "traceparent";
    public const string TracestateHeader = "tracestate";

    /// <summary>
    /// Where a record's work hangs in its trace: under the span reading it (the consumer's batch span)
    /// where that span continues the record's own trace, else under the record's own trace context (a
    /// batch span continues only the trace of its first record). Without a header, the span reading it.
    /// </summary>
    public static ActivityContext OfRecord(Headers? headers)
    {
        var reading = Activity.Current?.Context ?? default;
        if (headers is null
            || !headers.TryGetLastBytes(TraceparentHeader, out var traceparent)
            || Parse(Encoding.UTF8.GetString(traceparent), headers.TryGetLastBytes(TracestateHeader, out var tracestate) ? Encoding.UTF8.GetString(tracestate) : null) is not { } own)
        {
            return reading;
        }

        return reading != default && reading.TraceId == own.TraceId ? reading : own;
    }

    /// <summary>The traceparent of <paramref name="context"/>; null for no trace.</summary>
    public static string? Traceparent(ActivityContext context) =>
        context == default
            ? null
            : $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((byte)context.TraceFlags).ToString("x2", CultureInfo.InvariantCulture)}";

    /// <summary>The context of a traceparent and its tracestate; null where there is none or it is malformed.</summary>
    public static ActivityContext? Parse(string? traceparent, string? tracestate) =>
        traceparent is not null && ActivityContext.TryParse(traceparent, tracestate, isRemote: true, out var context) ? context : null;
}
