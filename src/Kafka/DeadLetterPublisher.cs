using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Kafka.Topics;
using Streaming.Records;

namespace Streaming.Kafka;

/// <summary>Moves a record that cannot be handled to the dead-letter topic, so that its partition moves on.</summary>
public sealed partial class DeadLetterPublisher(
    RecordPublisher publisher,
    IOptions<TopicsOptions> topics,
    PipelineTelemetry telemetry,
    TimeProvider clock,
    ILogger<DeadLetterPublisher> logger)
{
    /// <summary>Completes once the dead-letter record is acknowledged: only then may the source offset be stored.</summary>
    public async Task PublishAsync(ConsumeResult<byte[]?, byte[]> source, string service, string reason, string error, CancellationToken cancellationToken)
    {
        // An error quotes what it refused, and that may be an e-mail or an address: the letter's value
        // holds the record for a replay, so the text needs none of it, and neither does the log.
        error = PersonalDataMask.Apply(error);
        var letter = new DeadLetter
        {
            SourceTopic = source.Topic,
            SourcePartition = source.Partition.Value,
            SourceOffset = source.Offset.Value,
            Key = source.Message.Key,
            Value = source.Message.Value,
            Service = service,
            Reason = reason,
            Error = error,
            FailedAt = clock.GetUtcNow().UtcDateTime,
        };
        // One key per letter, never the source's: a redacted copy must supersede this letter and no other.
        var key = RecordKeys.DeadLetter(source.Topic, source.Partition.Value, source.Offset.Value);
        try
        {
            await publisher.PublishAsync(topics.Value[DeadLetter.KafkaTopic].Name, key, letter, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.MsgSizeTooLarge && letter.Value is { Length: var size })
        {
            // The letter must get through, or the partition stops here. Where the record still is stays
            // known: source topic, partition and offset.
            letter.Value = null;
            letter.Error += $" (the value, {size} bytes, was left out: too large for the dead-letter topic)";
            await publisher.PublishAsync(topics.Value[DeadLetter.KafkaTopic].Name, key, letter, cancellationToken).ConfigureAwait(false);
        }

        telemetry.DeadLetters.Add(1, new("service", service), new("reason", reason));
        LogDeadLettered(source.TopicPartitionOffset.ToString(), service, reason, error);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Source} in {Service}: {Reason}: {Error}")]
    private partial void LogDeadLettered(string source, string service, string reason, string error);
}
