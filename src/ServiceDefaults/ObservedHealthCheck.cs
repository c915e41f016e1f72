using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Streaming.ServiceDefaults;

/// <summary>A registered health check whose every result also reaches the <see cref="HealthStateLog"/>.</summary>
internal sealed class ObservedHealthCheck(IHealthCheck check, string name, HealthStateLog log) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        HealthCheckResult result;
        try
        {
            result = await check.CheckHealthAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Answered as the health check service answers a check that throws; its own line with the
            // exception is off, so the exception goes with this check's change of state instead.
            result = new HealthCheckResult(context.Registration.FailureStatus, e.Message, e);
        }

        log.Observe(name, result);
        return result;
    }
}
