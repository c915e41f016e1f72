using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Streaming.Contracts;

/// <summary>The pipeline's own traces and metrics; OpenTelemetry exports both.</summary>
public sealed class PipelineTelemetry : IDisposable
{
    public const string Name = "Streaming.Pipeline";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;

    public PipelineTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        Webhooks = _meter.CreateCounter<long>("pipeline.ingest.webhooks", "{webhook}", "Webhook requests by outcome and reason.");
        StorefrontEvents = _meter.CreateCounter<long>("pipeline.ingest.storefront_events", "{event}", "Storefront event posts by outcome and reason.");
        PixelScripts = _meter.CreateCounter<long>("pipeline.ingest.pixel_scripts", "{request}", "Requests for /pixel.js by outcome (served, not_modified, rejected) and reason.");
        RecordsMapped = _meter.CreateCounter<long>("pipeline.enricher.records", "{record}", "Webhooks the enricher handled, by topic and outcome.");
        EventsProduced = _meter.CreateCounter<long>("pipeline.enricher.events", "{event}", "Pinterest events the enricher wrote, by event name.");
        StateExpired = _meter.CreateCounter<long>("pipeline.enricher.state.expired", "{entry}", "State entries deleted because their retention ran out.");
        EventsDispatched = _meter.CreateCounter<long>("pipeline.dispatcher.events", "{event}", "Pinterest events by outcome.");
        PinterestRequests = _meter.CreateCounter<long>("pipeline.dispatcher.requests", "{request}", "Calls to the Pinterest API by HTTP status.");
        MarketFieldsRefused = _meter.CreateCounter<long>("pipeline.dispatcher.market_fields_refused", "{request}", "Requests Pinterest refused for carrying market_id and market_handle, by shop; sent again without them.");
        ShopsPaused = _meter.CreateCounter<long>("pipeline.dispatcher.shops_paused", "{pause}", "Times a shop was paused because Pinterest refused its conversion token (401, 403).");
        DeliveryDuration = _meter.CreateHistogram<double>(
            "pipeline.dispatcher.delivery.duration",
            "s",
            "Seconds from an event's write to pinterest.events to its outcome (Pinterest's answer, or why it was not sent), by shop and outcome.",
            tags: null,
            // From a request that went at once to one held for days by a refused token.
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400, 604800] });
        DeadLetters = _meter.CreateCounter<long>("pipeline.dead_letters", "{record}", "Records sent to the dead-letter topic, by service and reason.");
        PrivacyRequests = _meter.CreateCounter<long>("pipeline.privacy.requests", "{request}", "Parts of compliance requests handled, by request (customers/redact, shop/redact, customers/data_request).");
        PrivacyEntries = _meter.CreateCounter<long>("pipeline.privacy.entries", "{entry}", "Entries a compliance request found, by request, store and action (erased, redacted, reported).");
    }

    public Counter<long> Webhooks { get; }

    public Counter<long> StorefrontEvents { get; }

    public Counter<long> PixelScripts { get; }

    public Counter<long> RecordsMapped { get; }

    public Counter<long> EventsProduced { get; }

    public Counter<long> StateExpired { get; }

    public Counter<long> EventsDispatched { get; }

    public Counter<long> PinterestRequests { get; }

    public Counter<long> MarketFieldsRefused { get; }

    public Counter<long> ShopsPaused { get; }

    public Histogram<double> DeliveryDuration { get; }

    public Counter<long> DeadLetters { get; }

    public Counter<long> PrivacyRequests { get; }

    public Counter<long> PrivacyEntries { get; }

    /// <summary>Reports a value that is read when metrics are collected, for example bytes held right now.</summary>
    public void Observe(string name, string unit, string description, Func<long> read) =>
        _meter.CreateObservableGauge(name, read, unit, description);

    /// <summary>Reports values with tags (one per shop, say) that are read when metrics are collected.</summary>
    public void Observe(string name, string unit, string description, Func<IEnumerable<Measurement<long>>> read) =>
        _meter.CreateObservableGauge(name, read, unit, description);

    /// <summary>Reports fractional values with tags (a share, a delay in seconds) that are read when metrics are collected.</summary>
    public void Observe(string name, string unit, string description, Func<IEnumerable<Measurement<double>>> read) =>
        _meter.CreateObservableGauge(name, read, unit, description);

    public void Dispose() => _meter.Dispose();
}
