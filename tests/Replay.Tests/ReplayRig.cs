using Avro.Specific;
using Streaming.Dispatcher;
using Streaming.Enricher;
using Streaming.Kafka.Avro;

namespace Streaming.Replay.Tests;

/// <summary>
/// A pipeline for a replay test: the fixture's broker with topics of the test's own, a Pinterest
/// stand-in on loopback, the pipeline's services in hosts of their own, and the tool with the same
/// configuration. Pinterest's 7-day window is on, as in production.
/// </summary>
public sealed class ReplayRig : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<TestHost> _hosts = [];
    private readonly AvroSerdes _serdes = TestRecords.Serdes();

    private ReplayRig(KafkaFixture kafka, TestTopics topics, FakePinterest pinterest, Dictionary<string, string?> settings)
    {
        Kafka = kafka;
        Topics = topics;
        Pinterest = pinterest;
        Settings = settings;
        Tool = new ReplayTool(settings);
    }

    public KafkaFixture Kafka { get; }

    public TestTopics Topics { get; }

    public FakePinterest Pinterest { get; }

    public Dictionary<string, string?> Settings { get; }

    public ReplayTool Tool { get; }

    public static async Task<ReplayRig> StartAsync(KafkaFixture kafka, string? conversionToken = TestSettings.ConversionToken)
    {
        var pinterest = await FakePinterest.StartAsync();
        var topics = await kafka.CreateTopicsAsync();
        var settings = TestSettings.For(kafka.BootstrapServers, topics, pinterest.BaseUrl, conversionToken);
        settings["Dispatcher:MaxEventAge"] = "7.00:00:00";
        settings["Enricher:State:Directory"] = Path.Combine(Path.GetTempPath(), $"enricher-state-{Guid.NewGuid():N}");
        return new ReplayRig(kafka, topics, pinterest, settings);
    }

    public async Task<TestHost> StartDispatcherAsync() => Track(await TestHost.StartAsync(Settings, b => b.AddDispatcher()));

    public async Task<TestHost> StartEnricherAsync() => Track(await TestHost.StartAsync(Settings, b => b.AddEnricher()));

    public async Task StopAsync(TestHost host)
    {
        _hosts.Remove(host);
        await host.DisposeAsync();
    }

    public Task ProduceEventsAsync(IEnumerable<PinterestEvent> events) =>
        ProduceAsync(Topics.PinterestEvents.Name, events.Select(e => (RecordKeys.Event(e.ShopDomain, e.EventId), (ISpecificRecord)e)));

    public async Task ProduceAsync(string topic, IEnumerable<(string Key, ISpecificRecord Value)> records)
    {
        var encoded = new List<(string, byte[]?)>();
        foreach (var (key, value) in records)
        {
            encoded.Add((key, await _serdes.SerializeAsync(value, topic)));
        }

        await Kafka.ProduceAsync(topic, encoded);
    }

    public async Task<List<T>> ReadAsync<T>(string topic, int count)
        where T : ISpecificRecord, new()
    {
        var records = new List<T>();
        foreach (var record in Kafka.ReadAll(topic, count, Patience))
        {
            records.Add(await _serdes.DeserializeAsync<T>(record.Message.Value, topic));
        }

        return records;
    }

    /// <summary>
    /// Waits until the dispatcher reported <paramref name="count"/> processed events on pinterest.deliveries:
    /// it writes those after their ids are in its delivered-id changelog, which the tool reads.
    /// </summary>
    public async Task WaitForProcessedAsync(int count)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var all = Kafka.ReadAll(Topics.PinterestDeliveries.Name, int.MaxValue, TimeSpan.FromSeconds(1));
            var processed = 0;
            foreach (var record in all)
            {
                processed += (await _serdes.DeserializeAsync<PinterestDelivery>(record.Message.Value, Topics.PinterestDeliveries.Name)).Status == "processed" ? 1 : 0;
            }

            if (processed >= count)
            {
                return;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{processed} of {count} processed deliveries in {Patience.TotalSeconds} s.");
            }
        }
    }

    /// <summary>How many times Pinterest accepted each id of the test shop's ad account.</summary>
    public int AcceptedTimes(string eventId) => Pinterest.Accepted.GetValueOrDefault($"{TestSettings.AdAccountId}/{eventId}");

    private TestHost Track(TestHost host)
    {
        _hosts.Add(host);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }

        await Pinterest.DisposeAsync();
        Tool.Dispose();
    }
}
