namespace Streaming.EndToEnd.Tests;

[CollectionDefinition(Name)]
public sealed class OnKafka : ICollectionFixture<KafkaFixture>
{
    public const string Name = "kafka";
}
