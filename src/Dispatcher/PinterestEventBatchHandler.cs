using Microsoft.Extensions.Options;
using Streaming.Dispatcher.Pinterest;
using Streaming.Platform.Kafka;
using Streaming.Platform.Shops;
using Streaming.Platform.Telemetry;
using Streaming.Records;

namespace Streaming.Dispatcher;

/// <summary>
/// Sends a batch of events to Pinterest, one request per shop and 1,000 events. Returns when every event
/// was accepted, dry-run logged or dead-lettered; throws while Pinterest is unavailable, so that the
/// batch is retried and its offsets stay unstored.
/// </summary>
public sealed partial class PinterestEventBatchHandler(
    ShopDirectory shops,
    PinterestClient pinterest,
    DryRunLog dryRun,
    DeadLetterPublisher deadLetters,
    IOptions<PinterestOptions> options,
    PipelineTelemetry telemetry,
    ILogger<PinterestEventBatchHandler> logger) : IRecordBatchHandler<PinterestEvent>
{
    private const string Service = "dispatcher";

    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<PinterestEvent>> batch, CancellationToken cancellationToken)
    {
        var baseUrl = new Uri(options.Value.BaseUrl);
        var unavailable = new List<PinterestUnavailableException>();
        foreach (var byShop in batch.GroupBy(r => ShopsOptions.Normalize(r.Value.ShopDomain)))
        {
            try
            {
                await HandleShopAsync(byShop.Key, byShop.ToList(), baseUrl, cancellationToken);
            }
            catch (PinterestUnavailableException e)
            {
                // The other shops go on; only this shop's unsent events wait for the retry.
                unavailable.Add(e);
            }
        }

        if (unavailable.Count > 0)
        {
            throw new AggregateException("Pinterest was unavailable; the events not yet sent are retried.", unavailable);
        }
    }

    private async Task HandleShopAsync(string domain, List<ConsumedRecord<PinterestEvent>> records, Uri baseUrl, CancellationToken cancellationToken)
    {
        if (!shops.TryFind(domain, out var shop))
        {
            foreach (var record in records)
            {
                await DeadLetterAsync(record, "unknown_shop", $"No shop '{domain}' is configured.", cancellationToken);
            }

            return;
        }

        foreach (var chunk in records.Chunk(ConversionRequest.MaxEvents))
        {
            var request = ConversionRequest.For(shop, chunk.Select(r => r.Value).ToList(), baseUrl);
            if (request.ConversionToken is null)
            {
                await dryRun.AppendAsync(request, chunk.Length, cancellationToken);
                telemetry.EventsDispatched.Add(chunk.Length, new KeyValuePair<string, object?>("outcome", "dry_run"));
                Array.ForEach(chunk, r => r.MarkDone());
                continue;
            }

            await SendAsync(request, chunk, cancellationToken);
        }
    }

    private async Task SendAsync(ConversionRequest request, ConsumedRecord<PinterestEvent>[] chunk, CancellationToken cancellationToken)
    {
        PinterestAnswer answer;
        try
        {
            answer = await pinterest.SendAsync(request, cancellationToken);
        }
        catch (PinterestUnavailableException)
        {
            telemetry.PinterestRequests.Add(1, new KeyValuePair<string, object?>("outcome", "unavailable"));
            throw;
        }

        telemetry.PinterestRequests.Add(1, new("outcome", answer.Accepted ? "accepted" : "rejected"), new("http.response.status_code", answer.StatusCode));
        if (answer.EventErrors is null && !answer.Accepted)
        {
            // An answer that no retry will change, about the request as a whole. Keep the events, with
            // Pinterest's answer, for a replay once the cause is fixed.
            LogRejected(request.Shop, answer.StatusCode, chunk.Length, PinterestClient.Shorten(answer.Body));
            foreach (var record in chunk)
            {
                await DeadLetterAsync(record, $"pinterest_rejected_{answer.StatusCode}", PinterestClient.Shorten(answer.Body), cancellationToken);
            }

            return;
        }

        var sent = 0;
        for (var i = 0; i < chunk.Length; i++)
        {
            if (answer.EventErrors is { } errors && i < errors.Count && errors[i] is { } error)
            {
                await DeadLetterAsync(chunk[i], "pinterest_event_failed", error, cancellationToken);
            }
            else
            {
                chunk[i].MarkDone();
                sent++;
            }
        }

        telemetry.EventsDispatched.Add(sent, new KeyValuePair<string, object?>("outcome", "sent"));
        LogSent(request.Shop, sent, chunk.Length);
    }

    private async Task DeadLetterAsync(ConsumedRecord<PinterestEvent> record, string reason, string error, CancellationToken cancellationToken)
    {
        await deadLetters.PublishAsync(record.Raw, Service, reason, error, cancellationToken);
        record.MarkDone();
        telemetry.EventsDispatched.Add(1, new("outcome", "dead_lettered"), new("reason", reason));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent {Sent} of {Count} event(s) for {Shop} to Pinterest")]
    private partial void LogSent(string shop, int sent, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pinterest rejected {Count} event(s) for {Shop} with {Status}: {Body}")]
    private partial void LogRejected(string shop, int status, int count, string body);
}
