using System.Diagnostics;
using Streaming.Enricher.Output;

namespace Streaming.Enricher.Processing;

/// <summary>
/// What processors produced for one task in one batch: events to write (a released one under the span of
/// its release), outcomes to write with them, inputs to count.
/// </summary>
public sealed class ProcessorOutput
{
    private readonly Dictionary<PinterestEvent, Activity> _releasedUnder = new(ReferenceEqualityComparer.Instance);
    private readonly List<Activity> _releases = [];
    private Activity? _releasing;

    public List<PinterestEvent> Events { get; } = [];

    /// <summary>What became of the inputs that were, or would have been, events: written after the events.</summary>
    public List<EnrichmentOutcome> Decisions { get; } = [];

    /// <summary>Answers to compliance requests: written with the outcomes, counted once the batch is committed.</summary>
    public List<PrivacyReport> PrivacyReports { get; } = [];

    /// <summary>Dead-letter work of compliance requests, done by the batch before its reports are written.</summary>
    public List<DeadLetterErasure> DeadLetterErasures { get; } = [];

    /// <summary>Each input handled and its outcome, counted once the batch is committed.</summary>
    public List<(string Topic, string Outcome)> Handled { get; } = [];

    /// <summary>The spans of this batch's releases, still running: the batch ends them once it is written, or failed.</summary>
    public IReadOnlyList<Activity> Releases => _releases;

    public void Mapped(PinterestEvent pinterestEvent, string input, bool sessionJoined)
    {
        Events.Add(pinterestEvent);
        Decisions.Add(Outcomes.Mapped(pinterestEvent, input, sessionJoined));
        if (_releasing is not null)
        {
            _releasedUnder[pinterestEvent] = _releasing;
        }
    }

    /// <summary>Records a skip where it left out an event that was due; an input that is no event is not one.</summary>
    public void Skipped(string shop, string input, string reason, DateTime occurredAt)
    {
        if (SkipReasons.IsExclusion(reason))
        {
            Decisions.Add(Outcomes.Skipped(shop, input, reason, occurredAt));
        }
    }

    public void Counted(string topic, string outcome) => Handled.Add((topic, outcome));

    /// <summary>
    /// Events mapped until the returned scope is disposed are a release's: written under
    /// <paramref name="span"/> rather than the batch's span. A null span (nobody listens) changes nothing.
    /// </summary>
    public IDisposable Releasing(Activity? span)
    {
        if (span is not null)
        {
            _releases.Add(span);
        }

        _releasing = span;
        return new ReleaseScope(this);
    }

    /// <summary>The span <paramref name="pinterestEvent"/> is written under: its release's, or null for the batch's own.</summary>
    public Activity? SpanOf(PinterestEvent pinterestEvent) => _releasedUnder.GetValueOrDefault(pinterestEvent);

    private sealed class ReleaseScope(ProcessorOutput output) : IDisposable
    {
        public void Dispose() => output._releasing = null;
    }
}
