using Streaming.Enricher.Output;
using Streaming.Enricher.Privacy;
using Streaming.Enricher.Processing;
using Streaming.Enricher.Stitching;
using Streaming.Kafka.Avro;
using Streaming.Kafka.State;

namespace Streaming.Enricher.Tasks;

/// <summary>What every task runs and shares, built once: the processors behind their router, the release of waiting events, how state entries are read and written, the clock.</summary>
public sealed class TaskTopology(
    RecordRouter router,
    WaitingRelease release,
    AvroSerdes serdes,
    string changelogTopic,
    TimeSpan retention,
    Func<string, TimeSpan?> shopRetention,
    TimeProvider clock,
    PipelineTelemetry telemetry)
{
    /// <summary>The processors every task runs, wired.</summary>
    public static TaskTopology Create(
        ShopDirectory<EnricherShop> shops, IEnrichmentOutput output, AvroSerdes serdes, string eventsTopic, string changelogTopic,
        EnricherOptions options, PipelineTelemetry telemetry, TimeProvider clock, ILogger logger)
    {
        var grace = new GraceWait(options);
        var orders = new OrderProcessor(grace, serdes, eventsTopic);
        var carts = new CartProcessor(grace);
        var release = new WaitingRelease(shops, orders, carts, logger);
        var router = new RecordRouter(
            shops, orders, carts, new CheckoutProcessor(), new CustomerProcessor(), new StorefrontProcessor(release), new PrivacyProcessor(), new DeadLetters(output, telemetry, clock), logger);
        return new TaskTopology(
            router, release, serdes, changelogTopic, options.Retention, shop => shops.TryFind(shop, out var found) ? found.SessionRetention : null, clock, telemetry);
    }

    public RecordRouter Router { get; } = router;

    public WaitingRelease Release { get; } = release;

    public TimeProvider Clock { get; } = clock;

    public PipelineTelemetry Telemetry { get; } = telemetry;

    /// <summary>A typed view of a task's store for one batch: an entry read twice in the batch is decoded once.</summary>
    public CartStates States(IBatchStore store) => new(store, serdes, changelogTopic, retention, Clock, shopRetention);
}
