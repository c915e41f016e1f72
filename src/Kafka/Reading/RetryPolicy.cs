namespace Streaming.Kafka.Reading;

/// <summary>How long a reader waits before it tries again what failed: <see cref="RetryBackoff"/> from a base to a cap.</summary>
public sealed record RetryPolicy(TimeSpan BaseDelay, TimeSpan Cap)
{
    public TimeSpan Next(int failures) => RetryBackoff.Next(failures, BaseDelay, Cap, Random.Shared);
}
