using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Streaming.Dispatcher.Health;

/// <summary>
/// Shops whose events are held because Pinterest refused their conversion token (401, 403). Reported by
/// <c>/readyz</c> as degraded, by name: the process still works for every other shop.
/// </summary>
public sealed class ShopHealth : IHealthCheck
{
    private readonly ConcurrentDictionary<string, string> _paused = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Paused => _paused;

    public void Pause(string shop, string why) => _paused[shop] = why;

    public void Resume(string shop) => _paused.TryRemove(shop, out _);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_paused.IsEmpty)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Every shop's events are being sent."));
        }

        var shops = _paused.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var description = "Events held for " + string.Join("; ", shops.Select(p => $"{p.Key} ({p.Value})"))
                          + ". Fix the shop's Pinterest conversion token or ad account, then reload the configuration or restart.";
        return Task.FromResult(HealthCheckResult.Degraded(description, data: shops.ToDictionary(p => p.Key, p => (object)p.Value)));
    }
}
