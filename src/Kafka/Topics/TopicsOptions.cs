using Streaming.Contracts;

namespace Streaming.Kafka.Topics;

/// <summary>The topics the services of this process registered, as configured under <c>Kafka:Topics</c>.</summary>
public sealed class TopicsOptions
{
    private readonly Dictionary<string, (TopicDeclaration Declaration, TopicOptions Options)> _byKey = new(StringComparer.Ordinal);

    public TopicOptions this[TopicDeclaration topic] =>
        _byKey.TryGetValue(topic.Key, out var entry)
            ? entry.Options
            : throw new InvalidOperationException($"The topic Kafka:Topics:{topic.Key} is used but no service of this process registered it (AddTopic).");

    public IEnumerable<TopicOptions> All => _byKey.Values.Select(e => e.Options);

    public IEnumerable<(TopicDeclaration Declaration, TopicOptions Options)> Registered => _byKey.Values;

    /// <summary>Adds a topic; a second registration of the same key (two services in one process) keeps the first.</summary>
    public void Register(TopicDeclaration topic, TopicOptions options) => _byKey.TryAdd(topic.Key, (topic, options));
}
