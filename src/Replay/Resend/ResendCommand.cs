using Confluent.Kafka;
using Streaming.Contracts;
using Streaming.Dispatcher.Delivery;
using Streaming.Kafka.Reading;
using Streaming.Records;
using Streaming.Replay.Kafka;
using Streaming.Replay.Sending;

namespace Streaming.Replay.Resend;

/// <summary>
/// <c>resend</c>: the Pinterest events of a time range that Pinterest has not accepted (a shop that ran
/// without a token, a token that was refused, an outage), read from pinterest.events, or from the
/// dispatcher's dead letters by reason, and written again for the dispatcher to send.
/// </summary>
public sealed class ResendCommand(ReplayContext context)
{
    // Events are written shortly after they happen, dead letters after that: reading from a little before
    // --from finds every event of the range, whatever the clocks of the writers said.
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(10);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var eventsTopic = context.Topics[PinterestEvent.KafkaTopic].Name;
        var deadLetterTopic = context.Topics[DeadLetter.KafkaTopic].Name;
        var accepted = context.Accepted(cancellationToken);
        var sink = context.Sink(accepted, rememberSent: true);
        var ranges = context.Request.Topics.ToDictionary(t => t, t => context.Offsets.Find(t, context.Request.From - ClockSlack, cancellationToken));
        foreach (var (topic, topicRanges) in ranges)
        {
            context.LogRanges(topic, topicRanges);
        }

        await using var progress = context.Progress(() => ranges.Values.Sum(r => r.Sum(p => p.Records)));
        foreach (var (topic, topicRanges) in ranges)
        {
            DecodeRecord<PinterestEvent> decode = topic == deadLetterTopic
                ? record => FromDeadLetterAsync(record, eventsTopic, deadLetterTopic)
                : record => DecodeAsync(record.Message.Value, eventsTopic);
            using var reader = new BoundedReader<PinterestEvent>(context.Clients, topicRanges, decode, ExcludeAsync, context.Logger);
            var writes = new List<Task>();
            var read = 0L;
            for (var batch = reader.Next(2_000, cancellationToken); batch.Count > 0; batch = reader.Next(2_000, cancellationToken))
            {
                context.Tally.Reading(reader.Read - read);
                read = reader.Read;
                foreach (var record in batch)
                {
                    writes.Add(await sink.OfferAsync(record.Value, cancellationToken));
                }

                // Kafka has this batch's records before the next is read: a run killed now loses nothing it counted as sent.
                await Task.WhenAll(writes);
                writes.Clear();
            }

            context.Tally.Reading(reader.Read - read);
        }
    }

    private Task ExcludeAsync(ConsumeResult<byte[]?, byte[]> record, string reason, string error, CancellationToken cancellationToken)
    {
        context.Tally.Exclude(ReplayTally.Skips.Undecodable);
        return Task.CompletedTask;
    }

    /// <summary>The event a dead letter holds, or null when the run does not want it. Throws when the letter or its event cannot be read (now or ever).</summary>
    private async Task<PinterestEvent?> FromDeadLetterAsync(ConsumeResult<byte[]?, byte[]> record, string eventsTopic, string deadLetterTopic)
    {
        var letter = await context.Serdes.DeserializeAsync<DeadLetter>(record.Message.Value, deadLetterTopic);

        // The enricher's letters hold raw webhooks (re-enrichment is their way back); only the dispatcher's hold events.
        if (letter.Service != DeliveryStatus.Service || letter.SourceTopic != eventsTopic)
        {
            return null;
        }

        if (context.Request.Reasons.Count > 0 && !context.Request.Reasons.Contains(letter.Reason))
        {
            return null;
        }

        if (letter.Value is null)
        {
            context.Tally.Exclude("dead_letter_without_value");
            return null;
        }

        return await DecodeAsync(letter.Value, eventsTopic);
    }

    private async Task<PinterestEvent?> DecodeAsync(byte[]? value, string eventsTopic) =>
        value is { Length: > 0 } ? await context.Serdes.DeserializeAsync<PinterestEvent>(value, eventsTopic) : null;
}
