namespace Streaming.Operator.Tests.Counting;

public sealed class DelayHistogramTests
{
    [Theory]
    [InlineData(new double[] { 5_000 }, 0.5, 5)]
    [InlineData(new double[] { 1_000, 2_000, 3_000, 4_000 }, 0.5, 2)]
    [InlineData(new double[] { 1_000, 2_000, 3_000, 4_000 }, 0.99, 4)]
    [InlineData(new double[] { 250, 400, 90_000, 86_400_000 }, 0.75, 90)]
    [InlineData(new double[] { 0, 0.5, 1 }, 0.5, 0.001)]
    public void Percentiles_are_the_nearest_rank_within_one_percent(double[] milliseconds, double quantile, double seconds)
    {
        var histogram = new DelayHistogram();
        foreach (var ms in milliseconds)
        {
            histogram.Add(ms);
        }

        Assert.InRange(histogram.Seconds(quantile)!.Value, seconds * 0.99, seconds * 1.01);
    }

    [Fact]
    public void Merged_histograms_give_the_percentiles_of_all_their_delays_and_an_empty_one_gives_none()
    {
        var early = new DelayHistogram();
        var late = new DelayHistogram();
        var total = new DelayHistogram();
        early.Add(1_000);
        late.Add(10_000);
        late.Add(100_000);

        early.AddTo(total);
        late.AddTo(total);

        Assert.Equal(3, total.Count);
        Assert.InRange(total.Seconds(0.5)!.Value, 9.9, 10.1);
        Assert.Null(new DelayHistogram().Seconds(0.5));
    }

    [Fact]
    public void Delays_fall_between_the_edges_a_whole_second_on_an_edge_counting_above_it()
    {
        var histogram = new DelayHistogram();
        foreach (var ms in new double[] { 0, 400, 1_000, 1_500, 2_000, 4_800, 60_000, 90_000_000 })
        {
            histogram.Add(ms);
        }

        Assert.Equal([2, 2, 2, 1, 1], histogram.Between([1, 2, 5, 86_400]));
        Assert.Equal([0, 0], new DelayHistogram().Between([1]));
    }
}
