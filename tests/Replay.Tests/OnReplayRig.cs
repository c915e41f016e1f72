namespace Streaming.Replay.Tests;

/// <summary>
/// What every test of the tool starts with: a <see cref="ReplayRig"/> of its own on the shared broker,
/// disposed after the test. A test class adds its own set-up by overriding, calling the base first.
/// </summary>
public abstract class OnReplayRig(KafkaFixture kafka, string? conversionToken = TestSettings.ConversionToken) : IAsyncLifetime
{
    protected const string Shop = TestSettings.Shop;

    protected ReplayRig Rig { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Rig = await ReplayRig.StartAsync(kafka, conversionToken);

    public virtual async Task DisposeAsync() => await Rig.DisposeAsync();

    /// <summary>
    /// The run again, once Pinterest accepted each of <paramref name="ids"/>: it finishes, sends nothing, finds
    /// <paramref name="alreadyAccepted"/> events already accepted, and each id stays accepted once.
    /// </summary>
    protected async Task AssertSendsNothingAgainAsync(string[] run, int alreadyAccepted, params string[] ids)
    {
        var again = await Rig.Tool.RunDoneAsync(run);

        Assert.Equal(0, again.Count("events sent to the dispatcher"));
        Assert.Equal(alreadyAccepted, again.Count("already_accepted"));
        await Task.Delay(1000);
        Assert.All(ids, id => Assert.Equal(1, Rig.AcceptedTimes(id)));
    }
}
