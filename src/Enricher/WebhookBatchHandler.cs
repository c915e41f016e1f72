using Microsoft.Extensions.Options;
using Streaming.Enricher.Orders;
using Streaming.Platform.Kafka;
using Streaming.Platform.Kafka.Topics;
using Streaming.Platform.Shops;
using Streaming.Platform.Telemetry;
using Streaming.Records;

namespace Streaming.Enricher;

/// <summary>Turns a batch of webhooks into Pinterest events, and what it cannot read into dead letters.</summary>
public sealed partial class WebhookBatchHandler(
    ShopDirectory shops,
    RecordPublisher publisher,
    DeadLetterPublisher deadLetters,
    IOptions<TopicsOptions> topics,
    PipelineTelemetry telemetry,
    ILogger<WebhookBatchHandler> logger) : IRecordBatchHandler<ShopifyWebhook>
{
    private const string Service = "enricher";

    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<ShopifyWebhook>> batch, CancellationToken cancellationToken)
    {
        // Records are queued one after another, so events keep the order of their webhooks; the
        // acknowledgements are awaited together.
        var deliveries = new List<Task>(batch.Count);
        foreach (var record in batch)
        {
            deliveries.Add(await QueueAsync(record, cancellationToken));
        }

        // All or nothing for the offsets: a failed write fails the batch, and the batch is tried again.
        await Task.WhenAll(deliveries);
    }

    private async Task<Task> QueueAsync(ConsumedRecord<ShopifyWebhook> record, CancellationToken cancellationToken)
    {
        var webhook = record.Value;
        if (!shops.TryFind(webhook.ShopDomain, out var shop))
        {
            await DeadLetterAsync(record, "unknown_shop", $"No shop '{webhook.ShopDomain}' is configured.", cancellationToken);
            return Task.CompletedTask;
        }

        OrderMapping mapping;
        try
        {
            mapping = CheckoutEventMapper.Map(webhook, shop);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever the body did to the mapper, it will do it again: never retry it.
            await DeadLetterAsync(record, "unmappable", e.Message, cancellationToken);
            return Task.CompletedTask;
        }

        if (mapping.Event is not { } pinterestEvent)
        {
            telemetry.RecordsMapped.Add(1, new("topic", webhook.Topic), new("outcome", "skipped"), new("reason", mapping.SkipReason));
            LogSkipped(webhook.Topic, webhook.WebhookId, mapping.SkipReason!);
            record.MarkDone();
            return Task.CompletedTask;
        }

        var delivery = await publisher.EnqueueAsync(
            topics.Value[PinterestEvent.KafkaTopic].Name, $"{pinterestEvent.ShopDomain}/{pinterestEvent.EventId}", pinterestEvent, cancellationToken);
        return CompleteWhenDeliveredAsync(record, delivery, pinterestEvent.EventName);
    }

    private async Task CompleteWhenDeliveredAsync(ConsumedRecord<ShopifyWebhook> record, Task delivery, string eventName)
    {
        await delivery;
        record.MarkDone();
        telemetry.RecordsMapped.Add(1, new("topic", record.Value.Topic), new("outcome", "mapped"), new("event_name", eventName));
    }

    private async Task DeadLetterAsync(ConsumedRecord<ShopifyWebhook> record, string reason, string error, CancellationToken cancellationToken)
    {
        await deadLetters.PublishAsync(record.Raw, Service, reason, error, cancellationToken);
        record.MarkDone();
        telemetry.RecordsMapped.Add(1, new("topic", record.Value.Topic), new("outcome", "dead_lettered"), new("reason", reason));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped {Topic} webhook {WebhookId}: {Reason}")]
    private partial void LogSkipped(string topic, string webhookId, string reason);
}
