namespace Streaming.Topology.Tests;

/// <summary>The tests that start the whole topology run one after the other: two at once would share two cores with a dozen processes.</summary>
[CollectionDefinition(Name)]
public sealed class WholeTopology
{
    public const string Name = "whole topology";
}
