namespace Streaming.Kafka.Reading;

/// <summary>Where a group reader polls.</summary>
public static class PollingThread
{
    // Consume blocks. On a thread of its own it cannot starve the thread pool, whose few threads (two on
    // a two-core machine) serve every HTTP request of a process that also runs Ingest.
    public static Task Start(Action<CancellationToken> run, CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
