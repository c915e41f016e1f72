namespace Streaming.Replay.Sending;

/// <summary>At most a given number of writes per second (<c>--max-rate</c>), for a run that must not flood a shared cluster.</summary>
public sealed class Pace(double? perSecond, TimeProvider clock)
{
    private readonly TimeSpan _interval = perSecond is > 0 ? TimeSpan.FromSeconds(1 / perSecond.Value) : TimeSpan.Zero;
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_interval == TimeSpan.Zero)
        {
            return;
        }

        var now = clock.GetUtcNow();
        if (_next > now)
        {
            await Task.Delay(_next - now, clock, cancellationToken).ConfigureAwait(false);
        }

        _next = (_next > now ? _next : now) + _interval;
    }
}
