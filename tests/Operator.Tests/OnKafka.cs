namespace Streaming.Operator.Tests;

/// <summary>One broker, one set of fed topics and one operator host for every test of the page.</summary>
[CollectionDefinition(Name)]
public sealed class OnKafka : ICollectionFixture<OperatorFixture>
{
    public const string Name = "kafka";
}
