using System.Diagnostics.Metrics;

namespace Streaming.TestSupport;

/// <summary>What <c>pipeline.consumer.lag</c> reports for one consumer group, as (topic, lag) pairs.</summary>
public sealed class ConsumerLagListener : IDisposable
{
    private readonly MeterListener _listener;
    private readonly List<(string? Topic, long Lag)> _seen = [];

    public ConsumerLagListener(string group)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PipelineTelemetry.Name && instrument.Name == "pipeline.consumer.lag")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var byName = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
            if (Equals(byName["group"], group))
            {
                lock (_seen)
                {
                    _seen.Add((byName["topic"] as string, value));
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Everything reported so far.</summary>
    public List<(string? Topic, long Lag)> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>Asks the gauges for their values now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Clear()
    {
        lock (_seen)
        {
            _seen.Clear();
        }
    }

    public void Dispose() => _listener.Dispose();
}
