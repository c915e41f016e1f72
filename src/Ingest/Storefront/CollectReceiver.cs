using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Streaming.Contracts;
using Streaming.Ingest.Requests;
using Streaming.Ingest.Shops;
using Streaming.Kafka.Topics;
using Streaming.Records;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Ingest.Storefront;

/// <summary>
/// <c>POST /collect</c>: storefront events from our pixel, checked against the envelope's schema, with the
/// client IP and User-Agent added, written to Kafka before the 202. Public, so it answers without stack
/// traces or echoed input, and logs no personal data.
/// </summary>
public sealed partial class CollectReceiver(
    ShopDirectory<IngestShop> shops,
    StorefrontOrigins origins,
    ClientRateLimiter rateLimiter,
    BodyReader bodies,
    KafkaWriter writer,
    IOptions<TopicsOptions> topics,
    IOptions<StorefrontOptions> options,
    IOptions<IngestOptions> ingest,
    PipelineTelemetry telemetry,
    TimeProvider clock,
    ILogger<CollectReceiver> logger)
{
    private readonly IReadOnlyList<System.Net.IPNetwork> _trustedProxies = options.Value.TrustedProxyNetworks;

    public async Task<IResult> ReceiveAsync(HttpContext context)
    {
        var request = context.Request;
        var client = ClientAddress.Resolve(context, _trustedProxies);
        var origin = request.Headers.Origin.ToString();
        if (rateLimiter.TryAcquire(client?.ToString() ?? "") is { } wait)
        {
            return Reject(context, StatusCodes.Status429TooManyRequests, Reasons.RateLimited,
                "Too many events from this client (Storefront:RequestsPerMinutePerClient).", client, wait);
        }

        if (!IsAcceptedMediaType(request.ContentType))
        {
            return Reject(context, StatusCodes.Status415UnsupportedMediaType, Reasons.UnsupportedMediaType,
                "Send the envelope as application/json or text/plain.", client);
        }

        var settings = options.Value;
        using var body = await bodies.ReadAsync(request, settings.MaxBodyBytes, ingest.Value.BodyTimeout);
        if (body.Failure is { } failure)
        {
            return failure switch
            {
                BodyFailure.TooLarge => Reject(context, StatusCodes.Status413PayloadTooLarge, Reasons.BodyTooLarge,
                    $"The body is larger than Storefront:MaxBodyBytes ({settings.MaxBodyBytes} bytes).", client, closeConnection: true),
                BodyFailure.OverBudget => Reject(context, StatusCodes.Status503ServiceUnavailable, Reasons.Overloaded,
                    "Too many request bodies are in flight; try again shortly.", client, TimeSpan.FromSeconds(5), closeConnection: true),
                BodyFailure.TimedOut => Reject(context, StatusCodes.Status408RequestTimeout, Reasons.BodyTimeout,
                    "The body did not arrive in time.", client, closeConnection: true),
                _ => Reject(context, StatusCodes.Status400BadRequest, Reasons.BodyIncomplete, "The body ended before it was complete.", client, closeConnection: true),
            };
        }

        var (envelope, invalid) = CollectEnvelope.Parse(body.Memory);
        if (envelope is null)
        {
            return Reject(context, StatusCodes.Status400BadRequest, Reasons.InvalidEnvelope, invalid!, client);
        }

        if (CheckEventTime(envelope.OccurredAt, settings) is { } outOfRange)
        {
            return Reject(context, StatusCodes.Status400BadRequest, outOfRange.Reason, outOfRange.Detail, client);
        }

        if (!shops.TryFind(envelope.Shop, out _))
        {
            return Reject(context, StatusCodes.Status403Forbidden, Reasons.UnknownShop, "The shop is not served here.", client);
        }

        if (origin.Length > 0 && !origins.Allows(envelope.Shop, origin))
        {
            return Reject(context, StatusCodes.Status403Forbidden, Reasons.OriginNotAllowed,
                "The Origin is not one of the shop's storefronts (Shops:N:StorefrontOrigins).", client);
        }

        var record = new StorefrontEvent
        {
            ShopDomain = envelope.Shop,
            EventId = envelope.EventId,
            EventName = envelope.EventName,
            ShopifyEventId = envelope.ShopifyEventId,
            ClientId = envelope.ClientId,
            OccurredAt = envelope.OccurredAt,
            ClickId = envelope.ClickId,
            CartToken = envelope.CartToken,
            CheckoutToken = envelope.CheckoutToken,
            Consent = new StorefrontConsent
            {
                Analytics = envelope.Analytics,
                Marketing = envelope.Marketing,
                Preferences = envelope.Preferences,
                SaleOfData = envelope.SaleOfData,
            },
            ClientIp = client?.ToString(),
            UserAgent = request.Headers.UserAgent.ToString() is { Length: > 0 } userAgent ? userAgent : null,
            ReceivedAt = clock.GetUtcNow().UtcDateTime,
            Event = envelope.Event,
        };

        // Keyed like the cart's webhooks; without a cart yet, by checkout, else by visitor.
        var key = RecordKeys.Cart(envelope.Shop, envelope.CartToken ?? envelope.CheckoutToken ?? envelope.ClientId);
        var notStored = await writer.WriteAsync(topics.Value[StorefrontEvent.KafkaTopic].Name, key, record, ingest.Value.AckTimeout, "Storefront:MaxBodyBytes");
        if (notStored is not null)
        {
            LogNotStored(notStored.Exception, envelope.EventName, envelope.Shop);
            return Reject(context, notStored.Status, notStored.Reason, notStored.Detail, client,
                notStored.Status == StatusCodes.Status503ServiceUnavailable ? TimeSpan.FromSeconds(5) : null);
        }

        telemetry.StorefrontEvents.Add(1, new("outcome", "accepted"), new("event_name", envelope.EventName));
        AllowOrigin(context, origin);
        return Answers.AcceptedForLater;
    }

    // Pinterest would take neither: an event older than its window, or one stamped ahead (9999-12-31 as much as next year).
    private (string Reason, string Detail)? CheckEventTime(DateTime occurredAt, StorefrontOptions settings)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (occurredAt < now - settings.MaxEventAge)
        {
            return (Reasons.StaleEvent, $"/event/timestamp: more than {settings.MaxEventAge.TotalDays:0.##} day(s) old (Storefront:MaxEventAge); Pinterest takes no older events.");
        }

        return occurredAt > now + settings.MaxClockSkew
            ? (Reasons.FutureEvent, $"/event/timestamp: more than {settings.MaxClockSkew.TotalMinutes:0.#} min in the future (Storefront:MaxClockSkew).")
            : null;
    }

    /// <summary>A CORS preflight: allowed for the storefront origins of the configured shops, refused for the rest.</summary>
    public IResult Preflight(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || !origins.AllowsAny(origin))
        {
            telemetry.StorefrontEvents.Add(1, new("outcome", "rejected"), new("reason", Reasons.OriginNotAllowed));
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        AllowOrigin(context, origin);
        var headers = context.Response.Headers;
        headers.AccessControlAllowMethods = "POST";
        headers.AccessControlAllowHeaders = "Content-Type";
        headers.AccessControlMaxAge = "86400";
        return Results.NoContent();
    }

    private static void AllowOrigin(HttpContext context, string origin)
    {
        context.Response.Headers.Vary = HeaderNames.Origin;
        if (origin.Length > 0)
        {
            context.Response.Headers.AccessControlAllowOrigin = origin;
        }
    }

    // text/plain is what fetch(…, {keepalive: true}) and sendBeacon send without a CORS preflight.
    private static bool IsAcceptedMediaType(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase));

    private Rejection Reject(HttpContext context, int status, string reason, string detail, System.Net.IPAddress? client, TimeSpan? retryAfter = null, bool closeConnection = false)
    {
        // A storefront's own pixel may read why it was refused; any other origin learns nothing.
        if (context.Request.Headers.Origin.ToString() is { Length: > 0 } origin && origins.AllowsAny(origin))
        {
            AllowOrigin(context, origin);
        }

        telemetry.StorefrontEvents.Add(1, new("outcome", "rejected"), new("reason", reason));
        LogRejected(status, reason, LogSafe.Network(client));
        return new Rejection(status, reason, detail) { RetryAfter = retryAfter, CloseConnection = closeConnection };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected a storefront event with {Status} {Reason} from {ClientNetwork}")]
    private partial void LogRejected(int status, string reason, string clientNetwork);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store a {EventName} storefront event of {Shop}; answered with an error")]
    private partial void LogNotStored(Exception? exception, string eventName, string shop);
}
