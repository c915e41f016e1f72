using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Streaming.Kafka;

/// <summary>
/// Ready when a broker answers a metadata request in time. One probe runs at a time and its answer is
/// kept for a moment: a crowd of probes against an unreachable broker must not tie up the thread pool
/// (the probe blocks for up to its timeout) and starve everything else, liveness included.
/// </summary>
public sealed class KafkaHealthCheck(KafkaClientFactory clients, TimeProvider clock) : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);

    private readonly Lazy<IAdminClient> _admin = new(() => clients.CreateAdminClient("health-check"));
    private readonly Lock _gate = new();
    private Task<HealthCheckResult>? _probe;
    private (DateTimeOffset At, HealthCheckResult Result)? _last;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_last is { } last && clock.GetUtcNow() - last.At < Fresh)
            {
                return Task.FromResult(last.Result);
            }

            // Everyone who asks while a probe runs waits for that one.
            _probe ??= Task.Run(ProbeAndRemember, CancellationToken.None);
            return _probe.WaitAsync(cancellationToken);
        }
    }

    private HealthCheckResult ProbeAndRemember()
    {
        var result = Probe();
        lock (_gate)
        {
            _last = (clock.GetUtcNow(), result);
            _probe = null;
        }

        return result;
    }

    private HealthCheckResult Probe()
    {
        try
        {
            var metadata = _admin.Value.GetMetadata(Timeout);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s) at {clients.BootstrapServers}")
                : HealthCheckResult.Unhealthy($"No broker at {clients.BootstrapServers} answered.");
        }
        catch (KafkaException e)
        {
            return HealthCheckResult.Unhealthy($"Kafka at {clients.BootstrapServers} is unreachable: {e.Error.Reason}");
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
