using Avro.Specific;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Streaming.Kafka;

namespace Streaming.Ingest.Requests;

/// <summary>
/// Writes one record for a request and waits for Kafka's acknowledgement, at most for the ack timeout.
/// Says why a write failed in terms a caller can act on: 503 when a retry may work, 413 when it never will.
/// </summary>
public sealed class KafkaWriter(RecordPublisher publisher)
{
    /// <summary>
    /// Null once Kafka acknowledged the record; else why it is not stored yet. <paramref name="delivery"/>
    /// completes when the producer knows for good: a record that outlived the ack timeout may still be
    /// delivered, once the broker is back.
    /// </summary>
    public async Task<WriteFailure?> WriteAsync<T>(string topic, string key, T record, TimeSpan ackTimeout, string bodyLimitSetting, Action<Task>? delivery = null)
        where T : ISpecificRecord
    {
        // The caller leaving does not cancel the write: Kafka may well have it already.
        using var ackWait = new CancellationTokenSource(ackTimeout);
        try
        {
            // The wait covers the schema registry too: a first write may have to register the schema.
            var written = publisher.PublishAsync(topic, key, record, CancellationToken.None);
            delivery?.Invoke(written);
            await written.WaitAsync(ackWait.Token).ConfigureAwait(false);
            return null;
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.MsgSizeTooLarge)
        {
            // Permanent: a retry would fail the same way, so this is no 503.
            return new WriteFailure(StatusCodes.Status413PayloadTooLarge, Reasons.RecordTooLarge,
                $"The request does not fit in one Kafka record ({e.Error.Reason}). Lower {bodyLimitSetting} or raise the Kafka record size limits.", e);
        }
        catch (SchemaRegistryException e)
        {
            return new WriteFailure(StatusCodes.Status503ServiceUnavailable, Reasons.SchemaRegistryUnavailable, "The schema registry did not answer.", e);
        }
        catch (Exception e) when (e is KafkaException or HttpRequestException or OperationCanceledException)
        {
            return new WriteFailure(StatusCodes.Status503ServiceUnavailable, Reasons.KafkaUnavailable,
                e is OperationCanceledException
                    ? $"Kafka did not acknowledge the record within {ackTimeout.TotalSeconds:0.#} s."
                    : "Kafka did not acknowledge the record.",
                e);
        }
    }
}

/// <summary>Why a record was not stored, as the answer to the request that brought it.</summary>
public sealed record WriteFailure(int Status, string Reason, string Detail, Exception? Exception);
