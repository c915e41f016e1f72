using Confluent.Kafka;
using Streaming.Enricher.Output;
using Streaming.Records;
using Streaming.Replay.Sending;

namespace Streaming.Replay.Reenrich;

/// <summary>
/// The enricher's output during a re-enrichment: events go through the run's sink (selected, checked
/// against what Pinterest accepted, marked); what the enricher would dead-letter is only counted, as it
/// was dead-lettered already when it first came.
/// </summary>
public sealed class ReplayEnrichmentOutput(ReplaySink sink, ReplayTally tally) : IEnrichmentOutput
{
    public Task<Task> EnqueueAsync(PinterestEvent pinterestEvent, CancellationToken cancellationToken) => sink.OfferAsync(pinterestEvent, cancellationToken);

    // The live enricher gave its account of these inputs when they first came: a second one would count them twice.
    public Task<Task> EnqueueOutcomeAsync(EnrichmentOutcome outcome, CancellationToken cancellationToken) => Task.FromResult(Task.CompletedTask);

    public Task DeadLetterAsync(ConsumeResult<byte[]?, byte[]> source, string reason, string message, CancellationToken cancellationToken)
    {
        tally.Exclude($"enricher_{reason}");
        return Task.CompletedTask;
    }
}
