using Streaming.Kafka.Reading;

namespace Streaming.Platform.Tests.Kafka;

public sealed class RetryBackoffTests
{
    [Theory]
    [InlineData(100, 1_000)]
    [InlineData(500, 30_000)]
    [InlineData(500, 700)]
    [InlineData(2_000, 1_000)]
    public void No_draw_ever_waits_past_the_cap(int baseMs, int capMs)
    {
        var random = new Random(20261204);
        var cap = TimeSpan.FromMilliseconds(capMs);
        for (var failures = 1; failures <= 64; failures++)
        {
            for (var draw = 0; draw < 2_000; draw++)
            {
                var wait = RetryBackoff.Next(failures, TimeSpan.FromMilliseconds(baseMs), cap, random);
                Assert.InRange(wait, TimeSpan.Zero, cap);
            }
        }
    }

    [Fact]
    public void Waits_grow_with_each_failure_until_the_cap_and_are_spread_below_it()
    {
        var random = new Random(7);
        var baseDelay = TimeSpan.FromMilliseconds(250);
        var cap = TimeSpan.FromSeconds(8);
        var previousMean = 0.0;
        for (var failures = 1; failures <= 10; failures++)
        {
            var draws = Enumerable.Range(0, 2_000).Select(_ => RetryBackoff.Next(failures, baseDelay, cap, random).TotalMilliseconds).ToList();
            var capped = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, failures - 1));
            Assert.All(draws, d => Assert.InRange(d, capped / 2, capped));
            // Jitter: the draws spread over the half below the capped value, not one fixed wait.
            Assert.True(draws.Max() - draws.Min() > capped / 4, $"draws for {failures} failure(s) range {draws.Min():0} to {draws.Max():0} ms");
            var mean = draws.Average();
            if (capped < cap.TotalMilliseconds)
            {
                // Doubling until the cap: each failure's waits are, on average, well above the last one's.
                Assert.True(mean > previousMean * 1.8, $"the mean wait went from {previousMean:0} to {mean:0} ms at {failures} failure(s)");
            }

            previousMean = mean;
        }

        Assert.InRange(previousMean, cap.TotalMilliseconds * 0.7, cap.TotalMilliseconds * 0.8);
    }
}
