namespace Streaming.ServiceDefaults;

/// <summary>The <c>Telemetry</c> configuration section. OTLP export is configured by the standard <c>OTEL_*</c> variables.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>
    /// Serve the metrics at <c>/metrics</c> in Prometheus' text format, for a scraper such as a ServiceMonitor.
    /// Off by default: on Ingest that port also takes public traffic, so expose only Ingest's public paths.
    /// </summary>
    public bool PrometheusMetrics { get; set; }
}
