using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Kafka;
using Streaming.Kafka.Topics;

namespace Streaming.Enricher.Output;

/// <summary>The live enricher's output: events keyed by shop and event id, so that every copy of an event meets the dispatcher's delivered-id store on one partition.</summary>
public sealed class KafkaEnrichmentOutput(RecordPublisher publisher, DeadLetterPublisher deadLetters, IOptions<TopicsOptions> topics) : IEnrichmentOutput
{
    public const string Service = "enricher";

    private readonly string _eventsTopic = topics.Value[PinterestEvent.KafkaTopic].Name;
    private readonly string _outcomesTopic = topics.Value[EnrichmentOutcome.KafkaTopic].Name;
    private readonly string _privacyTopic = topics.Value[PrivacyReport.KafkaTopic].Name;

    public async Task<Task> EnqueueAsync(PinterestEvent pinterestEvent, CancellationToken cancellationToken) =>
        await publisher.EnqueueAsync(_eventsTopic, Key(pinterestEvent), pinterestEvent, cancellationToken).ConfigureAwait(false);

    // Keyed like the event where there is one; the operator view reads every partition, so no order is needed beyond that.
    public async Task<Task> EnqueueOutcomeAsync(EnrichmentOutcome outcome, CancellationToken cancellationToken) =>
        await publisher.EnqueueAsync(
            _outcomesTopic, outcome.EventId is { } id ? RecordKeys.Event(outcome.ShopDomain, id) : outcome.ShopDomain, outcome, cancellationToken).ConfigureAwait(false);

    // Keyed by shop and request: the parts of one answer are on one partition, in the order written.
    public async Task<Task> EnqueuePrivacyReportAsync(PrivacyReport report, CancellationToken cancellationToken) =>
        await publisher.EnqueueAsync(_privacyTopic, RecordKeys.Privacy(report.ShopDomain, report.RequestId), report, cancellationToken).ConfigureAwait(false);

    public Task DeadLetterAsync(ConsumeResult<byte[]?, byte[]> source, string reason, string message, CancellationToken cancellationToken) =>
        deadLetters.PublishAsync(source, Service, reason, message, cancellationToken);

    /// <summary>The Kafka key of a Pinterest event, wherever it is written from.</summary>
    public static string Key(PinterestEvent pinterestEvent) => RecordKeys.Event(pinterestEvent.ShopDomain, pinterestEvent.EventId);
}
