using Avro.Specific;
using Streaming.Enricher.Output;
using Streaming.Kafka;

namespace Streaming.Enricher.Tasks;

/// <summary>Puts aside a record the enricher can never handle, with its outcome, at once and not with the batch.</summary>
public sealed class DeadLetters(IEnrichmentOutput output, PipelineTelemetry telemetry, TimeProvider clock)
{
    public async Task WriteAsync(ConsumedRecord<ISpecificRecord> record, EnrichmentOutcome outcome, string error, CancellationToken cancellationToken)
    {
        // Written with the letter, not with the batch: a record marked done is not handled again by a retry.
        outcome.DecidedAt = clock.GetUtcNow().UtcDateTime;
        var written = await output.EnqueueOutcomeAsync(outcome, cancellationToken);
        await Task.WhenAll(output.DeadLetterAsync(record.Raw, outcome.Reason!, error, cancellationToken), written);
        record.MarkDone();
        telemetry.RecordsMapped.Add(1, new("topic", outcome.Input), new("outcome", RecordOutcomes.DeadLettered), new("reason", outcome.Reason));
    }
}
