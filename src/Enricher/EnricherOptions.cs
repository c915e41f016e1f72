using Streaming.Platform.Kafka;

namespace Streaming.Enricher;

/// <summary>The <c>Enricher</c> configuration section.</summary>
public sealed class EnricherOptions : ConsumerGroupOptions
{
    public const string Section = "Enricher";

    public EnricherOptions() => GroupId = "pipeline-enricher";
}
