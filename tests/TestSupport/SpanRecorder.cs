using System.Diagnostics;

namespace Streaming.TestSupport;

/// <summary>
/// Records the pipeline's spans as they end, every one sampled with all its data, for a test to read back;
/// <paramref name="keep"/> picks the ones wanted. Listening stops when it is disposed.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly List<Activity> _ended = [];
    private readonly ActivityListener _listener;

    public SpanRecorder(Func<Activity, bool>? keep = null)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PipelineTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                if (keep is null || keep(span))
                {
                    lock (_ended)
                    {
                        _ended.Add(span);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The spans kept so far, in the order they ended.</summary>
    public List<Activity> Ended()
    {
        lock (_ended)
        {
            return [.. _ended];
        }
    }

    public void Dispose() => _listener.Dispose();
}
