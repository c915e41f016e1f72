using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Streaming.ServiceDefaults;

/// <summary>
/// One log line per change of a health check's state (healthy, degraded, unhealthy), however many probes
/// ask. It takes the place of ASP.NET Core's health check log, which writes a line for every report that
/// is not healthy: under a flood of <c>/readyz</c> with Kafka down, tens of thousands of Error lines a minute.
/// </summary>
public sealed partial class HealthStateLog(ILogger<HealthStateLog> logger)
{
    /// <summary>The log category of ASP.NET Core's own line per report, turned off by default.</summary>
    public const string ReportLogCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    private readonly Dictionary<string, HealthStatus> _states = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Makes every registered check report its results here.</summary>
    public static void ObserveEveryCheck(HealthCheckServiceOptions options)
    {
        foreach (var registration in options.Registrations)
        {
            var create = registration.Factory;
            var name = registration.Name;
            registration.Factory = services => new ObservedHealthCheck(create(services), name, services.GetRequiredService<HealthStateLog>());
        }
    }

    /// <summary>Logs <paramref name="result"/> when its status differs from the check's last one (a check starts healthy).</summary>
    public void Observe(string check, HealthCheckResult result)
    {
        // Logged under the lock, so that two changes close together are logged in the order they took effect.
        lock (_gate)
        {
            var previous = _states.GetValueOrDefault(check, HealthStatus.Healthy);
            if (previous == result.Status)
            {
                return;
            }

            _states[check] = result.Status;
            switch (result.Status)
            {
                case HealthStatus.Unhealthy:
                    LogUnhealthy(result.Exception, check, result.Description);
                    break;
                case HealthStatus.Degraded:
                    LogDegraded(result.Exception, check, result.Description);
                    break;
                default:
                    LogHealthy(check, previous);
                    break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Health check {Check} is Unhealthy: {Description} (logged again only once it changes)")]
    private partial void LogUnhealthy(Exception? exception, string check, string? description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check {Check} is Degraded: {Description} (logged again only once it changes)")]
    private partial void LogDegraded(Exception? exception, string check, string? description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health check {Check} is Healthy again (was {Previous})")]
    private partial void LogHealthy(string check, HealthStatus previous);
}
