using Streaming.Contracts;
using Streaming.Kafka.Avro;
using Streaming.Records;
using Streaming.TestSupport;

namespace Streaming.Dispatcher.Tests;

/// <summary>
/// A dispatcher under test: fresh topics on the test broker, the Pinterest stand-in on loopback, the hosts
/// a test starts, and ways to produce events and read back what the dispatcher wrote. Disposing it checks
/// what every test must keep: no body broke Pinterest's rules, and no event id was accepted twice.
/// </summary>
public sealed class DispatcherRig(KafkaFixture kafka) : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly AvroSerdes _serdes = TestRecords.Serdes();
    private readonly List<TestHost> _hosts = [];

    public FakePinterest Pinterest { get; private set; } = null!;

    public TestTopics Topics { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pinterest = await FakePinterest.StartAsync();
        Topics = await kafka.CreateTopicsAsync(partitions: 1);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await Pinterest.DisposeAsync();
        Assert.Empty(Pinterest.Violations);
        Assert.All(Pinterest.Accepted, a => Assert.Equal(1, a.Value));
    }

    /// <summary>A dispatcher of the test shop, with a linger long enough that what was produced together goes in one request.</summary>
    public async Task<TestHost> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = TestSettings.For(kafka.BootstrapServers, Topics, Pinterest.BaseUrl);
        settings["Dispatcher:Linger"] = "00:00:00.500";
        settings["Logging:LogLevel:Default"] = "Trace";
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var host = await TestHost.StartAsync(settings, b => b.AddDispatcher());
        _hosts.Add(host);
        return host;
    }

    public async Task ProduceAsync(params PinterestEvent[] events)
    {
        var records = new List<(string, byte[]?)>();
        foreach (var e in events)
        {
            records.Add((RecordKeys.Event(e.ShopDomain, e.EventId), await _serdes.SerializeAsync(e, Topics.PinterestEvents.Name)));
        }

        await kafka.ProduceAsync(Topics.PinterestEvents.Name, records);
    }

    public async Task<List<PinterestDelivery>> DeliveriesAsync(int count)
    {
        var deliveries = new List<PinterestDelivery>();
        foreach (var record in kafka.ReadAll(Topics.PinterestDeliveries.Name, count, Patience))
        {
            deliveries.Add(await _serdes.DeserializeAsync<PinterestDelivery>(record.Message.Value, record.Topic));
        }

        Assert.Equal(count, deliveries.Count);
        return deliveries;
    }

    public async Task<List<DeadLetter>> DeadLettersAsync(int count)
    {
        var letters = new List<DeadLetter>();
        foreach (var record in kafka.ReadAll(Topics.DeadLetters.Name, count, Patience))
        {
            letters.Add(await _serdes.DeserializeAsync<DeadLetter>(record.Message.Value, record.Topic));
        }

        Assert.Equal(count, letters.Count);
        return letters;
    }

    public Task<PinterestEvent> EventOfAsync(DeadLetter letter) => _serdes.DeserializeAsync<PinterestEvent>(letter.Value, Topics.PinterestEvents.Name);

    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Not in {Patience.TotalSeconds} s: {what}.");
            await Task.Delay(50);
        }
    }
}
