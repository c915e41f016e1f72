namespace Streaming.Dispatcher.Tests;

/// <summary>
/// Events that trickle in, each alone, with gaps longer than the linger: a lingering lane must send each one
/// without waiting for an arrival that is not coming, and a stop must not wait out a linger.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class TrickleTests(KafkaFixture kafka) : IAsyncLifetime
{
    private readonly DispatcherRig _rig = new(kafka);

    public Task InitializeAsync() => _rig.InitializeAsync();

    public Task DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task Each_event_of_a_trickle_goes_alone_without_waiting_for_the_next()
    {
        // The adaptive linger on (the default), a rate not known yet at first: the whole linger, then shorter.
        await _rig.StartAsync(new() { ["Dispatcher:Linger"] = "00:00:00.300" });

        for (var i = 0; i < 4; i++)
        {
            var id = $"trickle-{i}";
            await _rig.ProduceAsync(TestRecords.Checkout(id));
            // Nothing else is produced until it is accepted: it may only go on its own linger.
            await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, [id], DispatcherRig.Patience);
            await Task.Delay(TimeSpan.FromMilliseconds(400));
        }

        Assert.All(_rig.Pinterest.Requests, r => Assert.Single(r.Events));
        Assert.Equal(4, (await _rig.DeliveriesAsync(4)).Count(d => d.Status == "processed"));
    }

    [Fact]
    public async Task A_stop_ends_a_lane_that_lingers_without_waiting_out_its_linger_or_sending()
    {
        // A whole 30 s linger: the rate is not known yet, and the adaptive linger is off anyway.
        var host = await _rig.StartAsync(new() { ["Dispatcher:Linger"] = "00:00:30", ["Dispatcher:AdaptiveLinger"] = "false" });
        var progress = host.Service<PartitionProgress>();

        await _rig.ProduceAsync(TestRecords.Checkout("lingering"));
        await DispatcherRig.WaitUntilAsync(() => progress.Snapshot().Count == 1, "the event read and in its lane");

        // Far less than the linger: a stop that waited for the lane's linger to end would miss it.
        await _rig.StopAllAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Empty(_rig.Pinterest.Requests);
    }
}
