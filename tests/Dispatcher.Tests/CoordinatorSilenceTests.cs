using Microsoft.Extensions.DependencyInjection;

namespace Streaming.Dispatcher.Tests;

/// <summary>
/// The fence against sending for partitions another member may own by now reads librdkafka's statistics.
/// Against a real protocol broker, the running dispatcher hears its coordinator, so it keeps sending.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class CoordinatorSilenceTests(KafkaFixture kafka) : IAsyncLifetime
{
    private readonly DispatcherRig _rig = new(kafka);

    public Task InitializeAsync() => _rig.InitializeAsync();

    public Task DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task A_member_of_the_group_hears_its_coordinator_in_the_statistics_and_sends()
    {
        var host = await _rig.StartAsync(new() { ["Dispatcher:MembershipDoubtAfter"] = "00:00:02" });
        var membership = host.App.Services.GetRequiredService<GroupMembership>();
        var started = membership.LastHeard;

        await _rig.ProduceAsync(TestRecords.Checkout("heard-1"));
        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["heard-1"], DispatcherRig.Patience);
        // Past the 2 s window from the start: only reports naming the coordinator keep it confirmed.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await _rig.ProduceAsync(TestRecords.Checkout("heard-2"));
        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["heard-2"], DispatcherRig.Patience);

        Assert.True(membership.LastHeard > started, "No statistics report named the group coordinator.");
        Assert.True(membership.Confirmed);
    }
}
