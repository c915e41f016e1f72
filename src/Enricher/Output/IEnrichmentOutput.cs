using Confluent.Kafka;

namespace Streaming.Enricher.Output;

/// <summary>
/// Where the enricher's results go. The live pipeline writes events to pinterest.events, its account of
/// each input to the enrichment outcomes and poison to the dead-letter topic; a replay re-enriching old
/// records decides for itself what to send.
/// </summary>
public interface IEnrichmentOutput
{
    /// <summary>
    /// Completes once the event is queued behind every event queued before it; the task it returns
    /// completes when the event is safely written (only then is the batch's state committed).
    /// </summary>
    Task<Task> EnqueueAsync(PinterestEvent pinterestEvent, CancellationToken cancellationToken);

    /// <summary>As <see cref="EnqueueAsync"/>, for what became of an input (an event written, one left out, a dead letter).</summary>
    Task<Task> EnqueueOutcomeAsync(EnrichmentOutcome outcome, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="EnqueueAsync"/>, for a part of the answer to a compliance request. A replay, whose
    /// state is its own and thrown away, writes none.
    /// </summary>
    Task<Task> EnqueuePrivacyReportAsync(PrivacyReport report, CancellationToken cancellationToken) => Task.FromResult(Task.CompletedTask);

    /// <summary>A record the enricher can never map; completes once it is safely put aside.</summary>
    Task DeadLetterAsync(ConsumeResult<byte[]?, byte[]> source, string reason, string message, CancellationToken cancellationToken);
}
