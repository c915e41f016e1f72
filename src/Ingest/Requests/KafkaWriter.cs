using System.Diagnostics;
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
    public Task<WriteFailure?> WriteAsync<T>(string topic, string key, T record, TimeSpan ackTimeout, string bodyLimitSetting, Action<Task>? delivery = null)
        where T : ISpecificRecord =>
        WriteAsync(async () => (Task)await publisher.EnqueueAsync(topic, key, record, CancellationToken.None).ConfigureAwait(false), ackTimeout, bodyLimitSetting, delivery);

    /// <summary>
    /// As <see cref="WriteAsync{T}(string, string, T, TimeSpan, string, Action{Task}?)"/>, one copy to each of
    /// <paramref name="partitions"/>: stored only once every copy is.
    /// </summary>
    public Task<WriteFailure?> WriteToEachAsync<T>(IReadOnlyList<TopicPartition> partitions, string key, T record, TimeSpan ackTimeout, string bodyLimitSetting, Action<Task>? delivery = null)
        where T : ISpecificRecord =>
        WriteAsync(
            async () =>
            {
                var copies = new List<Task>(partitions.Count);
                foreach (var partition in partitions)
                {
                    copies.Add(await publisher.EnqueueAsync(partition, key, record, CancellationToken.None).ConfigureAwait(false));
                }

                return Task.WhenAll(copies);
            },
            ackTimeout,
            bodyLimitSetting,
            delivery);

    private static async Task<WriteFailure?> WriteAsync(Func<Task<Task>> enqueue, TimeSpan ackTimeout, string bodyLimitSetting, Action<Task>? delivery)
    {
        // The caller leaving does not cancel the write: Kafka may well have it already. The ack timeout
        // covers both stages together.
        var started = Stopwatch.GetTimestamp();
        // Two stages, told apart so that the answer blames the right service: serializing (a first write
        // of a schema registers it; a schema not cached yet is fetched) and Kafka's acknowledgement.
        var enqueued = enqueue();
        Task written;
        if (enqueued.IsCompletedSuccessfully)
        {
            // The usual case, a schema already known: no proxy task and no wait to set up per request.
            written = enqueued.Result;
            delivery?.Invoke(written);
        }
        else
        {
            delivery?.Invoke(enqueued.Unwrap());
            try
            {
                written = await enqueued.WaitAsync(ackTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SchemaRegistryException or HttpRequestException or TimeoutException or OperationCanceledException)
            {
                // The registry's client throws HttpRequestException when it cannot connect at all, and
                // TaskCanceledException when its own HTTP timeout passes.
                return new WriteFailure(StatusCodes.Status503ServiceUnavailable, Reasons.SchemaRegistryUnavailable,
                    e is TimeoutException or OperationCanceledException
                        ? $"The schema registry did not answer within {ackTimeout.TotalSeconds:0.#} s."
                        : "The schema registry did not answer.",
                    e);
            }
            catch (KafkaException e)
            {
                return KafkaFailure(e, ackTimeout, bodyLimitSetting);
            }
        }

        try
        {
            var left = ackTimeout - Stopwatch.GetElapsedTime(started);
            await written.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is KafkaException or TimeoutException or OperationCanceledException)
        {
            return KafkaFailure(e, ackTimeout, bodyLimitSetting);
        }
    }

    private static WriteFailure KafkaFailure(Exception e, TimeSpan ackTimeout, string bodyLimitSetting) => e switch
    {
        // Permanent: a retry would fail the same way, so this is no 503.
        KafkaException { Error.Code: ErrorCode.MsgSizeTooLarge } tooLarge => new WriteFailure(StatusCodes.Status413PayloadTooLarge, Reasons.RecordTooLarge,
            $"The request does not fit in one Kafka record ({tooLarge.Error.Reason}). Lower {bodyLimitSetting} or raise the Kafka record size limits.", e),
        TimeoutException or OperationCanceledException => new WriteFailure(StatusCodes.Status503ServiceUnavailable, Reasons.KafkaUnavailable,
            $"Kafka did not acknowledge the record within {ackTimeout.TotalSeconds:0.#} s.", e),
        _ => new WriteFailure(StatusCodes.Status503ServiceUnavailable, Reasons.KafkaUnavailable, "Kafka did not acknowledge the record.", e),
    };
}

/// <summary>Why a record was not stored, as the answer to the request that brought it.</summary>
public sealed record WriteFailure(int Status, string Reason, string Detail, Exception? Exception);
