using System.Text;
using Confluent.Kafka;
using Streaming.Kafka.Avro;

namespace Streaming.Operator.Tests.Rig;

/// <summary>Writes fed records to the topics they belong on, as the enricher and the dispatcher would, with chosen Kafka timestamps.</summary>
public sealed class FeedWriter(string bootstrapServers, TestTopics topics) : IDisposable
{
    private readonly AvroSerdes _serdes = TestRecords.Serdes();
    private readonly IProducer<byte[], byte[]> _producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrapServers, LingerMs = 5 }).Build();

    public async Task WriteAsync(IEnumerable<Fed> records)
    {
        var acks = new List<Task>();
        foreach (var record in records)
        {
            var topic = record.Value switch
            {
                PinterestDelivery => topics.PinterestDeliveries.Name,
                EnrichmentOutcome => topics.EnrichmentOutcomes.Name,
                DeadLetter => topics.DeadLetters.Name,
                _ => throw new ArgumentException($"The operator view reads no {record.Value.GetType().Name}."),
            };
            acks.Add(_producer.ProduceAsync(topic, new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes(record.Key),
                Value = await _serdes.SerializeAsync(record.Value, topic),
                Timestamp = new Timestamp((record.WrittenAt ?? DateTimeOffset.UtcNow).UtcDateTime),
            }));
        }

        await Task.WhenAll(acks);
    }

    public void Dispose() => _producer.Dispose();
}
