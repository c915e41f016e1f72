using Streaming.Platform.Kafka;

namespace Streaming.Dispatcher;

/// <summary>The <c>Dispatcher</c> configuration section.</summary>
public sealed class DispatcherOptions : ConsumerGroupOptions
{
    public const string Section = "Dispatcher";

    public DispatcherOptions()
    {
        GroupId = "pipeline-dispatcher";
        // Pinterest takes up to 1,000 events a request: a full batch for one shop is one request.
        MaxBatchSize = 1000;
        MaxBatchWait = TimeSpan.FromMilliseconds(500);
        MaxRetryBackoff = TimeSpan.FromSeconds(60);
    }
}
