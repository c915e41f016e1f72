using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Streaming.Platform.Kafka;
using Streaming.Platform.Shops;
using Streaming.Platform.Telemetry;
using Streaming.Records;

namespace Streaming.Ingest.Webhooks;

/// <summary>
/// Verifies a Shopify webhook and writes it to Kafka. Answers 200 only once Kafka acknowledged the
/// record, so that Shopify retries every delivery that was not stored.
/// </summary>
public sealed partial class ShopifyWebhookReceiver(
    ShopDirectory shops,
    RecordPublisher publisher,
    IOptions<KafkaOptions> kafka,
    IOptions<IngestOptions> options,
    PipelineTelemetry telemetry,
    TimeProvider clock,
    ILogger<ShopifyWebhookReceiver> logger)
{
    public async Task<IResult> ReceiveAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var headers = WebhookHeaders.Read(request.Headers);
        if (headers.Hmac is null)
        {
            return Reject(StatusCodes.Status401Unauthorized, "missing_signature", "The X-Shopify-Hmac-Sha256 header is missing: the webhook cannot be verified.");
        }

        if (headers.FirstMissing() is { } missing)
        {
            return Reject(StatusCodes.Status400BadRequest, "missing_header", $"The {missing} header is missing.");
        }

        var domain = ShopsOptions.Normalize(headers.ShopDomain!);
        if (!shops.TryFind(domain, out var shop))
        {
            return Reject(StatusCodes.Status401Unauthorized, "unknown_shop", $"No shop '{domain}' is configured, so its webhooks cannot be verified.");
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            // One limit, ours: above it the request gets our 413 with its message, not the server's.
            bodyLimit.MaxRequestBodySize = options.Value.MaxBodyBytes + 1L;
        }

        var body = await ReadBodyAsync(request, options.Value.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Reject(StatusCodes.Status413PayloadTooLarge, "body_too_large", $"The body is larger than Ingest:MaxBodyBytes ({options.Value.MaxBodyBytes} bytes).");
        }

        if (!WebhookSignature.Matches(body, headers.Hmac, shop.WebhookSecrets))
        {
            return Reject(StatusCodes.Status401Unauthorized, "bad_signature", $"X-Shopify-Hmac-Sha256 does not match the body for any webhook secret of shop '{domain}'.");
        }

        var webhook = new ShopifyWebhook
        {
            WebhookId = headers.WebhookId!,
            Topic = headers.Topic!,
            ShopDomain = domain,
            ApiVersion = headers.ApiVersion,
            EventId = headers.EventId,
            TriggeredAt = headers.TriggeredAt,
            ReceivedAt = clock.GetUtcNow().UtcDateTime,
            Headers = headers.All,
            Body = body,
        };
        using var ackWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ackWait.CancelAfter(options.Value.AckTimeout);
        try
        {
            // The wait covers the schema registry too: a first write may have to register the schema.
            var delivered = await publisher
                .PublishAsync(kafka.Value.Topics.ShopifyWebhooks.Name, WebhookKey.For(domain, body, webhook.WebhookId), webhook, ackWait.Token)
                .WaitAsync(ackWait.Token);
            telemetry.Webhooks.Add(1, new("outcome", "accepted"), new("topic", webhook.Topic));
            LogAccepted(webhook.Topic, domain, webhook.WebhookId, delivered.TopicPartitionOffset.ToString());
            return Results.Ok(new { status = "accepted", webhook_id = webhook.WebhookId });
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.MsgSizeTooLarge)
        {
            // Permanent: a retry by Shopify would fail the same way, so this is no 503.
            return Reject(StatusCodes.Status413PayloadTooLarge, "record_too_large",
                $"The webhook does not fit in one Kafka record ({e.Error.Reason}). Lower Ingest:MaxBodyBytes or raise the Kafka record size limits.");
        }
        catch (SchemaRegistryException e)
        {
            LogNotStored(e, webhook.Topic, domain, webhook.WebhookId);
            return Reject(StatusCodes.Status503ServiceUnavailable, "schema_registry_unavailable",
                $"The schema registry did not answer ({e.Message}). Shopify will retry.");
        }
        catch (Exception e) when (e is KafkaException or HttpRequestException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogNotStored(e, webhook.Topic, domain, webhook.WebhookId);
            return Reject(StatusCodes.Status503ServiceUnavailable, "kafka_unavailable",
                e is OperationCanceledException
                    ? $"Kafka did not acknowledge the webhook within {options.Value.AckTimeout.TotalSeconds:0.#} s. Shopify will retry."
                    : $"Kafka did not acknowledge the webhook ({e.Message}). Shopify will retry.");
        }
    }

    private IResult Reject(int status, string reason, string detail)
    {
        telemetry.Webhooks.Add(1, new("outcome", "rejected"), new("reason", reason));
        LogRejected(status, reason, detail);
        return Results.Problem(statusCode: status, title: reason, detail: detail);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        // Grown as bytes arrive, not sized from Content-Length: the body is read before anyone is verified.
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel enforces the same limit on a body without Content-Length as it streams in.
            return null;
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Accepted {Topic} from {Shop} (webhook {WebhookId}) at {Offset}")]
    private partial void LogAccepted(string topic, string shop, string webhookId, string offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a webhook with {Status} {Reason}: {Detail}")]
    private partial void LogRejected(int status, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store {Topic} from {Shop} (webhook {WebhookId}); answered 503 so that Shopify retries")]
    private partial void LogNotStored(Exception exception, string topic, string shop, string webhookId);
}
