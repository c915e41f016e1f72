using Streaming.Dispatcher.Delivery;

namespace Streaming.Dispatcher.Tests.Delivery;

public sealed class BackoffTests
{
    [Fact]
    public void Waits_double_with_each_failure_and_jitter_never_takes_them_past_the_cap()
    {
        var random = new Random(7);
        var baseDelay = TimeSpan.FromMilliseconds(500);
        var cap = TimeSpan.FromSeconds(60);

        for (var failures = 1; failures <= 40; failures++)
        {
            var exponential = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, failures - 1));
            for (var draw = 0; draw < 200; draw++)
            {
                var wait = Backoff.Next(failures, baseDelay, cap, random).TotalMilliseconds;
                Assert.InRange(wait, exponential / 2, exponential);
            }
        }
    }
}
