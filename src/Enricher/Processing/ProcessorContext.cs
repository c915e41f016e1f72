using System.Diagnostics;
using Streaming.Enricher.Stitching;

namespace Streaming.Enricher.Processing;

/// <summary>
/// What a processor works with while its task handles one batch, as Kafka Streams' ProcessorContext: the
/// task's state (typed, with the batch's own changes), its index of waiting events, where the batch's
/// results go, the task's stream time, the trace of the record being handled and the wall clock.
/// </summary>
public sealed class ProcessorContext(CartStates states, WaitingRoom waiting, TimeProvider clock)
{
    public CartStates States { get; } = states;

    public WaitingRoom Waiting { get; } = waiting;

    public ProcessorOutput Output { get; } = new();

    public TimeProvider Clock { get; } = clock;

    /// <summary>The partition number of the task: which part of the state a compliance request's copy covers.</summary>
    public int Partition { get; init; }

    /// <summary>The newest event time the task may count on, as of the record being handled; moved by the task.</summary>
    public long StreamTime { get; set; }

    /// <summary>
    /// The trace of the record being handled, set by the task: what a server event that waits keeps for
    /// its release, and what a release caused by the record links to. None outside a record (a punctuation).
    /// </summary>
    public ActivityContext Trace { get; set; }
}
