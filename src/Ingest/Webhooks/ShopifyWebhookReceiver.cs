using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Ingest.Idempotency;
using Streaming.Ingest.Requests;
using Streaming.Ingest.Shops;
using Streaming.Kafka;
using Streaming.Kafka.Topics;
using Streaming.Records;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Ingest.Webhooks;

/// <summary>
/// Verifies a Shopify webhook and writes it to Kafka. Answers 200 only once Kafka acknowledged the
/// record, so that Shopify retries every delivery that was not stored.
/// </summary>
public sealed partial class ShopifyWebhookReceiver(
    ShopDirectory<IngestShop> shops,
    BodyReader bodies,
    DeliveryDeduplicator deliveries,
    KafkaWriter writer,
    WebhookPartitions partitions,
    IOptions<TopicsOptions> topics,
    IOptions<IngestOptions> options,
    PipelineTelemetry telemetry,
    TimeProvider clock,
    ILogger<ShopifyWebhookReceiver> logger)
{
    // Drawn at start and never shown, so that no signature matches it.
    private static readonly string[] NobodysSecret = [Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))];

    // The compliance topics are always written: a shop's duty to erase does not depend on configuration.
    private readonly HashSet<string> _written = options.Value.EffectiveWrittenTopics.Concat(ShopifyTopics.Compliance).ToHashSet(StringComparer.Ordinal);

    public async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        var settings = options.Value;
        var headers = WebhookHeaders.Read(request.Headers);
        if (headers.Repeated is { } repeated)
        {
            return Reject(StatusCodes.Status400BadRequest, Reasons.RepeatedHeader, $"The {LogSafe.Text(repeated)} header appears more than once; a delivery has exactly one.");
        }

        if (headers.Hmac is null)
        {
            return Reject(StatusCodes.Status401Unauthorized, Reasons.MissingSignature, $"The {WebhookHeaders.HmacName} header is missing: the webhook cannot be verified.");
        }

        if (headers.FirstMissing() is { } missing)
        {
            return Reject(StatusCodes.Status400BadRequest, Reasons.MissingHeader, $"The {missing} header is missing.");
        }

        if (CheckTriggeredAt(headers.TriggeredAt, settings) is { } stale)
        {
            return stale;
        }

        var domain = Shop.Normalize(headers.ShopDomain!);
        var served = shops.TryFind(domain, out var shop);

        // An unknown shop's body is read within the same limits and hashed like any other: an answer
        // before the body (or a quicker one) would tell which shops are served here.
        using var body = await bodies.ReadAsync(request, settings.MaxBodyBytes, settings.BodyTimeout);
        if (body.Failure is { } failure)
        {
            return BodyRejection(failure, settings.MaxBodyBytes, "Ingest:MaxBodyBytes");
        }

        var verified = WebhookSignature.Matches(body.Span, headers.Hmac, served ? shop.WebhookSecrets : NobodysSecret);
        if (!served || !verified)
        {
            return InvalidSignature(served ? Reasons.BadSignature : Reasons.UnknownShop, domain);
        }

        var topic = headers.Topic!;
        if (!_written.Contains(topic))
        {
            // Answered 200: any other status makes Shopify retry, and after 8 failures drop the subscription.
            telemetry.Webhooks.Add(1, new("outcome", "ignored"), new("topic", topic));
            LogIgnored(LogSafe.Text(topic), domain);
            return Answers.Ignored;
        }

        var (inspected, invalid) = WebhookBody.Inspect(body.Span);
        if (invalid is not null)
        {
            return Reject(StatusCodes.Status400BadRequest, Reasons.InvalidJson, invalid);
        }

        var (state, claim) = await deliveries.ClaimAsync(domain, headers.WebhookId!, settings.AckTimeout, request.HttpContext.RequestAborted);
        if (state == DeliveryState.Duplicate)
        {
            telemetry.Webhooks.Add(1, new("outcome", "duplicate"), new("topic", topic));
            LogDuplicate(topic, domain, LogSafe.Text(headers.WebhookId));
            return Answers.Duplicate;
        }

        if (claim is null)
        {
            return Reject(StatusCodes.Status503ServiceUnavailable, Reasons.KafkaUnavailable,
                "An earlier attempt of this delivery is still waiting for Kafka. Shopify will retry.", TimeSpan.FromSeconds(5));
        }

        var webhook = new ShopifyWebhook
        {
            WebhookId = headers.WebhookId!,
            Topic = topic,
            ShopDomain = domain,
            ApiVersion = headers.ApiVersion,
            EventId = headers.EventId,
            TriggeredAt = headers.TriggeredAt,
            ReceivedAt = clock.GetUtcNow().UtcDateTime,
            Headers = headers.All,
            Body = body.ToArray(),
        };
        var webhookTopic = topics.Value[ShopifyWebhook.KafkaTopic].Name;
        WriteFailure? outcome;
        if (ShopifyTopics.IsCompliance(topic))
        {
            // The customer's carts may hash to any partition: the enricher task of each must see the request.
            if (partitions.Of(webhookTopic, settings.AckTimeout) is not { } every)
            {
                claim.CompleteWhen(Task.FromCanceled(new CancellationToken(canceled: true)));
                return Reject(StatusCodes.Status503ServiceUnavailable, Reasons.KafkaUnavailable,
                    $"Kafka did not say within {settings.AckTimeout.TotalSeconds:0.#} s which partitions {webhookTopic} has. Shopify will retry.", TimeSpan.FromSeconds(5));
            }

            webhook.Headers[ShopifyTopics.CopiesHeader] = every.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            outcome = await writer.WriteToEachAsync(every, RecordKeys.Privacy(domain, webhook.WebhookId), webhook, settings.AckTimeout, "Ingest:MaxBodyBytes", claim.CompleteWhen);
        }
        else
        {
            var key = WebhookKey.For(domain, topic, inspected, webhook.WebhookId);
            // Remembered as stored only once Kafka has it, even if that is after this request gave up waiting:
            // then Shopify's retry finds it stored and no second record is written.
            outcome = await writer.WriteAsync(webhookTopic, key, webhook, settings.AckTimeout, "Ingest:MaxBodyBytes", claim.CompleteWhen);
        }

        if (outcome is { } notStored)
        {
            LogNotStored(notStored.Exception, topic, domain, LogSafe.Text(webhook.WebhookId));
            return Reject(notStored.Status, notStored.Reason, notStored.Detail + (notStored.Status == StatusCodes.Status503ServiceUnavailable ? " Shopify will retry." : ""));
        }

        telemetry.Webhooks.Add(1, new("outcome", "accepted"), new("topic", topic));
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogAccepted(topic, domain, LogSafe.Text(webhook.WebhookId));
        }

        return Answers.Accepted;
    }

    private Rejection? CheckTriggeredAt(string? triggeredAt, IngestOptions settings)
    {
        if (triggeredAt is null)
        {
            // Older API versions do not send it; the duplicate window still applies.
            return null;
        }

        if (!WebhookHeaders.TryParseTime(triggeredAt, out var at))
        {
            return Reject(StatusCodes.Status400BadRequest, Reasons.InvalidTriggeredAt, $"The {WebhookHeaders.TriggeredAtName} header is not an ISO 8601 time.");
        }

        var now = clock.GetUtcNow();
        if (at < now - settings.MaxDeliveryAge)
        {
            return Reject(StatusCodes.Status400BadRequest, Reasons.StaleDelivery,
                $"{WebhookHeaders.TriggeredAtName} is more than {settings.MaxDeliveryAge.TotalHours:0.#} h old (Ingest:MaxDeliveryAge): a replayed delivery is refused.");
        }

        return at > now + settings.MaxClockSkew
            ? Reject(StatusCodes.Status400BadRequest, Reasons.FutureDelivery,
                $"{WebhookHeaders.TriggeredAtName} lies more than {settings.MaxClockSkew.TotalMinutes:0.#} min in the future (Ingest:MaxClockSkew).")
            : null;
    }

    // One answer for an unknown shop and a wrong signature, so that nobody can find out which shops exist.
    private Rejection InvalidSignature(string reason, string domain)
    {
        telemetry.Webhooks.Add(1, new("outcome", "rejected"), new("reason", reason));
        LogUnverified(reason, LogSafe.ShopDomain(domain));
        return new Rejection(StatusCodes.Status401Unauthorized, Reasons.InvalidSignature,
            $"{WebhookHeaders.HmacName} does not verify the body for {WebhookHeaders.ShopDomainName}.");
    }

    private Rejection BodyRejection(BodyFailure failure, int limit, string setting) => failure switch
    {
        // The rest of the body is not read, so the connection cannot carry another request: say so.
        BodyFailure.TooLarge => Reject(StatusCodes.Status413PayloadTooLarge, Reasons.BodyTooLarge, $"The body is larger than {setting} ({limit} bytes).",
            closeConnection: true),
        BodyFailure.OverBudget => Reject(StatusCodes.Status503ServiceUnavailable, Reasons.Overloaded,
            "Too many request bodies are in flight (Ingest:MaxBytesInFlight). Shopify will retry.", TimeSpan.FromSeconds(5), closeConnection: true),
        BodyFailure.TimedOut => Reject(StatusCodes.Status408RequestTimeout, Reasons.BodyTimeout,
            "The body did not arrive within Ingest:BodyTimeout.", closeConnection: true),
        _ => Reject(StatusCodes.Status400BadRequest, Reasons.BodyIncomplete, "The body ended before it was complete.", closeConnection: true),
    };

    private Rejection Reject(int status, string reason, string detail, TimeSpan? retryAfter = null, bool closeConnection = false)
    {
        telemetry.Webhooks.Add(1, new("outcome", "rejected"), new("reason", reason));
        LogRejected(status, reason, detail);
        return new Rejection(status, reason, detail) { RetryAfter = retryAfter, CloseConnection = closeConnection };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepted {Topic} from {Shop} (webhook {WebhookId})")]
    private partial void LogAccepted(string topic, string shop, string webhookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Answered {Topic} from {Shop} (webhook {WebhookId}) as a duplicate: it was stored within Ingest:DuplicateWindow")]
    private partial void LogDuplicate(string topic, string shop, string webhookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored {Topic} from {Shop}: not in Ingest:WrittenTopics (answered 200 so that Shopify does not retry)")]
    private partial void LogIgnored(string topic, string shop);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a webhook with {Status} {Reason}: {Detail}")]
    private partial void LogRejected(int status, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a webhook with 401 invalid_signature ({Reason}, shop header {Shop})")]
    private partial void LogUnverified(string reason, string shop);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store {Topic} from {Shop} (webhook {WebhookId}); answered with an error so that Shopify retries")]
    private partial void LogNotStored(Exception? exception, string topic, string shop, string webhookId);
}
