using Streaming.TestSupport;

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
}
