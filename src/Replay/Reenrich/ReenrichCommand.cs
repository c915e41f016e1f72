using System.Text;
using Avro.Specific;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Enricher;
using Streaming.Enricher.Output;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.Reading;
using Streaming.Records;
using Streaming.Replay.Kafka;
using Streaming.Replay.Sending;

namespace Streaming.Replay.Reenrich;

/// <summary>
/// <c>reenrich</c>: runs the raw webhooks and storefront events of a time range through the enricher's
/// own logic again (a mapping improved, a shop added late) and sends the resulting events Pinterest has
/// not accepted. The logic runs here, in this process, on state of its own in a temporary directory that
/// is neither restored from nor written to the live enricher's changelog: the live enricher's memory of
/// what it sent stays as it is. Reading starts <c>--lookback</c> before <c>--from</c> so that sessions and
/// carts begun earlier are known again; events of that lead-in are not sent.
/// </summary>
public sealed class ReenrichCommand(ReplayContext context)
{
    private const int BatchSize = 2_000;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var request = context.Request;
        var accepted = context.Accepted(cancellationToken);
        var sink = context.Sink(accepted, rememberSent: false);
        var ranges = request.Topics.SelectMany(t =>
        {
            var found = context.Offsets.Find(t, request.From - request.Lookback, cancellationToken);
            context.LogRanges(t, found);
            return found;
        }).ToList();
        var decode = RecordDecoding.Avro(context.Serdes, new Dictionary<string, Type>(StringComparer.Ordinal)
        {
            [context.Topics[ShopifyWebhook.KafkaTopic].Name] = typeof(ShopifyWebhook),
            [context.Topics[StorefrontEvent.KafkaTopic].Name] = typeof(StorefrontEvent),
        });

        var state = Path.Combine(Path.GetTempPath(), "pipeline-replay", request.RunId);
        var enricher = context.Services.GetRequiredService<IOptions<EnricherOptions>>().Value;
        enricher.State.Directory = state;
        enricher.StateChangelog = false;
        using var skips = new EnricherSkips(context.Services.GetRequiredService<PipelineTelemetry>(), context.Tally);
        var handler = ActivatorUtilities.CreateInstance<EnrichmentHandler>(
            context.Services, Options.Create(enricher), (IEnrichmentOutput)new ReplayEnrichmentOutput(sink, context.Tally));
        try
        {
            handler.OnAssigned(ranges.Select(r => r.Partition).ToList(), cancellationToken);
            // Records are keyed <shop>/<cart or id>: other shops' records are left without being decoded.
            using var reader = new BoundedReader<ISpecificRecord>(
                context.Clients, ranges, record => Selected(record) ? decode(record) : Task.FromResult<ISpecificRecord?>(null), ExcludeAsync, context.Logger);
            await using var progress = context.Progress(() => reader.Total);
            var read = 0L;
            for (var batch = reader.Next(BatchSize, cancellationToken); batch.Count > 0; batch = reader.Next(BatchSize, cancellationToken))
            {
                context.Tally.Reading(reader.Read - read);
                read = reader.Read;
                await handler.HandleAsync(batch, cancellationToken);
            }

            context.Tally.Reading(reader.Read - read);

            // The input is over: nothing more will come for what still waits for a session.
            await handler.ReleaseAllWaitingAsync(cancellationToken);
        }
        finally
        {
            handler.Dispose();
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    private bool Selected(ConsumeResult<byte[]?, byte[]> record)
    {
        if (context.Request.Shops.Count == 0)
        {
            return true;
        }

        return record.Message.Key is not { } key || RecordKeys.ShopOf(Encoding.UTF8.GetString(key)) is not { } shop || context.Request.Shops.Contains(shop);
    }

    private Task ExcludeAsync(ConsumeResult<byte[]?, byte[]> record, string reason, string error, CancellationToken cancellationToken)
    {
        context.Tally.Exclude(ReplayTally.Skips.Undecodable);
        return Task.CompletedTask;
    }
}
