using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Enricher.Output;
using Streaming.Kafka.Avro;
using Streaming.Kafka.State;

namespace Streaming.Enricher.Tests.Processing;

/// <summary>
/// The enricher's processors wired as the live enricher wires them, on one partition's state held in
/// memory: the same <see cref="CachingStore"/> as a live partition's, over an <see cref="InMemoryKeyValueStore"/>
/// instead of the changelog and RocksDB. No Kafka anywhere.
/// </summary>
internal sealed class ProcessorHarness : IDisposable
{
    public const string EventsTopic = "pinterest.events";
    public const string ChangelogTopic = "enricher.state";
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public ProcessorHarness()
    {
        Shops = new ShopDirectory<EnricherShop>(Microsoft.Extensions.Options.Options.Create(new ShopList<EnricherShop> { Items = [Shop] }));
        Store = new CachedBatchStore(new CachingStore(Disk, capacity: 1_000));
        Telemetry = new PipelineTelemetry(_metrics.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var grace = new GraceWait(Options);
        Orders = new OrderProcessor(grace, Serdes, EventsTopic);
        Carts = new CartProcessor(grace);
        Checkouts = new CheckoutProcessor();
        Release = new WaitingRelease(Shops, Orders, Carts, NullLogger.Instance);
        Storefront = new StorefrontProcessor(Release);
    }

    public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

    public AvroSerdes Serdes { get; } = TestRecords.Serdes();

    public EnricherOptions Options { get; } = new() { GracePeriod = Grace, GraceWallClockCap = TimeSpan.FromMinutes(2) };

    public EnricherShop Shop { get; } = new() { Domain = TestSettings.Shop };

    public ShopDirectory<EnricherShop> Shops { get; }


    /// <summary>The bottom of the partition's store stack: what a commit has written down.</summary>
    public InMemoryKeyValueStore Disk { get; } = new();

    public IBatchStore Store { get; }

    public WaitingRoom Waiting { get; } = new();

    public RecordingOutput Output { get; } = new();

    public PipelineTelemetry Telemetry { get; }

    public OrderProcessor Orders { get; }

    public CartProcessor Carts { get; }

    public CheckoutProcessor Checkouts { get; }

    public StorefrontProcessor Storefront { get; }

    public WaitingRelease Release { get; }

    public CartStates States() => new(Store, Serdes, ChangelogTopic, Options.Retention, Clock);

    /// <summary>A processor context as a task opens one for a batch.</summary>
    public ProcessorContext Context(long streamTime = 0) => new(States(), Waiting, Clock) { StreamTime = streamTime };

    public Task CommitAsync() => Store.CommitAsync(CancellationToken.None);

    public Task<EnricherState?> ReadAsync(string key) => States().ReadAsync(key);

    public static string Cart(string cartToken) => CartStates.Cart(TestSettings.Shop, cartToken);

    public static ShopifyWebhook Webhook(string topic, byte[] body, DateTimeOffset at) => new()
    {
        WebhookId = Guid.NewGuid().ToString(),
        Topic = topic,
        ShopDomain = TestSettings.Shop,
        ReceivedAt = at.UtcDateTime,
        Body = body,
    };

    public static ShopifyWebhook Order(string orderId, string cartToken, DateTimeOffset at, string? checkoutToken = null) =>
        Webhook("orders/create", EnricherRig.Order(orderId, cartToken, checkoutToken), at);

    public static ShopifyWebhook Json(string topic, JsonObject body, DateTimeOffset at) => Webhook(topic, Encoding.UTF8.GetBytes(body.ToJsonString()), at);

    public static StorefrontEvent Session(string? cartToken, string clickId, DateTimeOffset at, string fixture = "pixel-page_viewed.json", string? checkoutToken = null)
    {
        using var pixel = JsonDocument.Parse(ShopifySamples.Fixture(fixture));
        var session = SessionTests.Event(pixel, at.ToUnixTimeMilliseconds(), clickId, "203.0.113.9", "UA-session", cartToken);
        session.CheckoutToken = checkoutToken;
        return session;
    }

    public void Dispose()
    {
        Telemetry.Dispose();
        _metrics.Dispose();
    }
}

/// <summary>A wall clock the test moves.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// The enricher's output kept in lists, each event with the span current when it was written (the one
/// <c>RecordPublisher</c> would put in its headers); with <see cref="Failing"/>, every write is refused,
/// as a broker that does not acknowledge.
/// </summary>
internal sealed class RecordingOutput : IEnrichmentOutput
{
    public List<PinterestEvent> Events { get; } = [];

    /// <summary>Activity.Current at each write of <see cref="Events"/>, in the same order.</summary>
    public List<Activity?> EventSpans { get; } = [];

    public List<EnrichmentOutcome> Outcomes { get; } = [];

    public List<string> DeadLetters { get; } = [];

    public bool Failing { get; set; }

    public Task<Task> EnqueueAsync(PinterestEvent pinterestEvent, CancellationToken cancellationToken)
    {
        var written = Written(Events, pinterestEvent);
        if (!Failing)
        {
            EventSpans.Add(Activity.Current);
        }

        return Task.FromResult(written);
    }

    public Task<Task> EnqueueOutcomeAsync(EnrichmentOutcome outcome, CancellationToken cancellationToken) => Task.FromResult(Written(Outcomes, outcome));

    public Task DeadLetterAsync(ConsumeResult<byte[]?, byte[]> source, string reason, string message, CancellationToken cancellationToken)
    {
        DeadLetters.Add(reason);
        return Task.CompletedTask;
    }

    private Task Written<T>(List<T> written, T item)
    {
        if (Failing)
        {
            return Task.FromException(new KafkaException(ErrorCode.Local_MsgTimedOut));
        }

        written.Add(item);
        return Task.CompletedTask;
    }
}
