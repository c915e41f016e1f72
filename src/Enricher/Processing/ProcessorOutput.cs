using Streaming.Enricher.Output;
using Streaming.Records;
using Streaming.Contracts;

namespace Streaming.Enricher.Processing;

/// <summary>What processors produced for one task in one batch: events to write, outcomes to write with them, inputs to count.</summary>
public sealed class ProcessorOutput
{
    public List<PinterestEvent> Events { get; } = [];

    /// <summary>What became of the inputs that were, or would have been, events: written after the events.</summary>
    public List<EnrichmentOutcome> Decisions { get; } = [];

    /// <summary>Each input handled and its outcome, counted once the batch is committed.</summary>
    public List<(string Topic, string Outcome)> Handled { get; } = [];

    public void Mapped(PinterestEvent pinterestEvent, string input, bool sessionJoined)
    {
        Events.Add(pinterestEvent);
        Decisions.Add(Outcomes.Mapped(pinterestEvent, input, sessionJoined));
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
}
