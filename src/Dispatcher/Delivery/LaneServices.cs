using Microsoft.Extensions.Options;
using Streaming.Dispatcher.Dedupe;
using Streaming.Dispatcher.Health;
using Streaming.Dispatcher.Pinterest;
using Streaming.ServiceDefaults.Shops;
using Streaming.Contracts;

namespace Streaming.Dispatcher.Delivery;

/// <summary>What every lane uses, shared: the client, the stores, the log, and the limit on requests in flight.</summary>
public sealed class LaneServices(
    IOptions<DispatcherOptions> options,
    IOptions<PinterestOptions> pinterest,
    IOptionsMonitor<ShopsOptions> shops,
    PinterestClient client,
    DryRunLog dryRun,
    DeliveredIds delivered,
    DeliveryLog log,
    PartitionProgress progress,
    ShopHealth health,
    PipelineTelemetry telemetry,
    TimeProvider clock,
    ILogger<ShopLane> logger)
{
    public DispatcherOptions Options { get; } = options.Value;

    public Uri BaseUrl { get; } = new(pinterest.Value.BaseUrl);

    public IOptionsMonitor<ShopsOptions> Shops { get; } = shops;

    public PinterestClient Client { get; } = client;

    public DryRunLog DryRun { get; } = dryRun;

    public DeliveredIds Delivered { get; } = delivered;

    public DeliveryLog Log { get; } = log;

    public PartitionProgress Progress { get; } = progress;

    public ShopHealth Health { get; } = health;

    public PipelineTelemetry Telemetry { get; } = telemetry;

    public TimeProvider Clock { get; } = clock;

    public ILogger Logger { get; } = logger;

    /// <summary>Requests in flight across every ad account: a fair share for each, a bound for the process.</summary>
    public SemaphoreSlim Concurrency { get; } = new(options.Value.MaxConcurrentRequests, options.Value.MaxConcurrentRequests);
}
