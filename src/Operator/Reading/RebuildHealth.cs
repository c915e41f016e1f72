using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Streaming.Operator.Reading;

/// <summary>Not ready (or, beside Ingest in one process, degraded) until the view has read the last 7 days.</summary>
public sealed class RebuildHealth(Rebuild rebuild) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(rebuild.Done
            ? HealthCheckResult.Healthy(rebuild.Describe())
            : new HealthCheckResult(context.Registration.FailureStatus, rebuild.Describe()));
}
