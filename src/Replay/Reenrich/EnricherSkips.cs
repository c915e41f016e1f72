using System.Diagnostics.Metrics;
using Streaming.Contracts;
using Streaming.Replay.Sending;

namespace Streaming.Replay.Reenrich;

/// <summary>
/// Counts the records the enricher's logic left without an event and why (not a web order, no consent,
/// not a conversion…), from the enricher's own records metric, so the run's summary gives its reasons
/// in its words. Records read before <c>--from</c> to rebuild sessions are counted too.
/// </summary>
public sealed class EnricherSkips : IDisposable
{
    private readonly MeterListener _listener = new();

    public EnricherSkips(PipelineTelemetry telemetry, ReplayTally tally)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // This process's own enricher only: the meter's name is the same in every pipeline host.
            if (ReferenceEquals(instrument, telemetry.RecordsMapped))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? outcome = null;
            string? reason = null;
            foreach (var tag in tags)
            {
                outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
                reason = tag.Key == "reason" ? tag.Value as string : reason;
            }

            if (outcome == "skipped" && reason is not null)
            {
                tally.Exclude($"enricher_{reason}");
            }
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();
}
