using Microsoft.Extensions.Options;
using Streaming.Dispatcher;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.Topics;
using Streaming.Records;
using Streaming.Replay.Cli;
using Streaming.Replay.Kafka;
using Streaming.Replay.Sending;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Replay;

/// <summary>What every command of a run uses: the request, the pipeline's clients and settings, the tally.</summary>
public sealed class ReplayContext(ReplayRequest request, IServiceProvider services, TextWriter progressOutput, bool terminal)
{
    public ReplayRequest Request { get; } = request;

    public IServiceProvider Services { get; } = services;

    public ReplayTally Tally { get; } = new();

    public KafkaClientFactory Clients => Services.GetRequiredService<KafkaClientFactory>();

    public StartOffsets Offsets => Services.GetRequiredService<StartOffsets>();

    public AvroSerdes Serdes => Services.GetRequiredService<AvroSerdes>();

    public RecordPublisher Publisher => Services.GetRequiredService<RecordPublisher>();

    public ShopDirectory<ReplayShop> Shops => Services.GetRequiredService<ShopDirectory<ReplayShop>>();

    public TopicsOptions Topics => Services.GetRequiredService<IOptions<TopicsOptions>>().Value;

    public TimeProvider Clock => Services.GetRequiredService<TimeProvider>();

    public ILogger Logger => Services.GetRequiredService<ILoggerFactory>().CreateLogger("Streaming.Replay");

    /// <summary>The configured shops this run selects.</summary>
    public IEnumerable<ReplayShop> SelectedShops =>
        Services.GetRequiredService<IOptions<ShopList<ReplayShop>>>().Value.Items.Where(s => Request.Selects(Shop.Normalize(s.Domain)));

    public ProgressReporter Progress(Func<long?> total) => new(Tally, total, progressOutput, terminal, Request.ProgressInterval);

    /// <summary>What Pinterest accepted for the selected shops' ad accounts and still remembers, from the dispatcher's changelog.</summary>
    public AcceptedEvents Accepted(CancellationToken cancellationToken)
    {
        var dispatcher = Services.GetRequiredService<IOptions<DispatcherOptions>>().Value;
        var accounts = SelectedShops.Select(s => s.Pinterest.AdAccountId).ToHashSet(StringComparer.Ordinal);
        var accepted = AcceptedEvents.Load(
            Clients, Offsets, Serdes, Topics[DeliveredEvent.KafkaTopic].Name, accounts, Clock.GetUtcNow() - dispatcher.DeliveredRetention, Logger, cancellationToken);
        ReplayLog.Accepted(Logger, accepted.Count);
        return accepted;
    }

    public ReplaySink Sink(AcceptedEvents accepted, bool rememberSent) => new(
        Request,
        accepted,
        Tally,
        Publisher,
        Shops,
        Services.GetRequiredService<IOptions<DispatcherOptions>>(),
        Services.GetRequiredService<IOptions<TopicsOptions>>(),
        Clock,
        rememberSent);

    /// <summary>Logs how each partition's start was found, once per topic: the docs tell users to look for it.</summary>
    public void LogRanges(string topic, IReadOnlyList<PartitionRange> ranges)
    {
        var paths = string.Join(", ", ranges.GroupBy(r => r.Path).Select(g => $"{g.Key} for {g.Count()} partition(s)"));
        ReplayLog.Ranges(Logger, topic, ranges.Sum(r => r.Records), ranges.Count, paths);
    }
}
