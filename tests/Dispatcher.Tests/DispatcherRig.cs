using Microsoft.AspNetCore.Builder;
using Streaming.Kafka.Avro;

namespace Streaming.Dispatcher.Tests;

/// <summary>
/// A dispatcher under test: fresh topics on the test broker, the Pinterest stand-in on loopback, the hosts
/// a test starts, and ways to produce events and read back what the dispatcher wrote. Disposing it checks
/// what every test must keep: no body broke Pinterest's rules, and no event id was accepted twice.
/// </summary>
public sealed class DispatcherRig(KafkaFixture kafka, int partitions = 1) : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly AvroSerdes _serdes = TestRecords.Serdes();
    private readonly List<TestHost> _hosts = [];

    public FakePinterest Pinterest { get; private set; } = null!;

    public TestTopics Topics { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pinterest = await FakePinterest.StartAsync();
        Topics = await kafka.CreateTopicsAsync(partitions);
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

    /// <summary>The test shop's settings on this rig's topics and Pinterest stand-in.</summary>
    public Dictionary<string, string?> Settings() => TestSettings.For(kafka.BootstrapServers, Topics, Pinterest.BaseUrl);

    /// <summary>A dispatcher of the test shop, with a linger long enough that what was produced together goes in one request.</summary>
    public Task<TestHost> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = Settings();
        settings["Dispatcher:Linger"] = "00:00:00.500";
        settings["Logging:LogLevel:Default"] = "Trace";
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return StartHostAsync(settings);
    }

    /// <summary>A dispatcher with exactly <paramref name="settings"/>, stopped when the rig is disposed.</summary>
    public async Task<TestHost> StartHostAsync(Dictionary<string, string?> settings, Action<WebApplication>? map = null)
    {
        var host = await TestHost.StartAsync(settings, b => b.AddDispatcher(), map);
        _hosts.Add(host);
        return host;
    }

    /// <summary>Stops every dispatcher started so far, as a restart would.</summary>
    public async Task StopAllAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
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

    public Task<List<PinterestDelivery>> DeliveriesAsync(int count) => ReadAsync<PinterestDelivery>(Topics.PinterestDeliveries.Name, count);

    public Task<List<DeadLetter>> DeadLettersAsync(int count) => ReadAsync<DeadLetter>(Topics.DeadLetters.Name, count);

    /// <summary>The one dead letter written, which must be the dispatcher's, of a whole pinterest.events record.</summary>
    public async Task<DeadLetter> SingleDeadLetterAsync()
    {
        var record = Assert.Single(kafka.ReadAll(Topics.DeadLetters.Name, 1, Patience));
        var letter = await _serdes.DeserializeAsync<DeadLetter>(record.Message.Value, record.Topic);
        Assert.Equal("dispatcher", letter.Service);
        Assert.Equal(Topics.PinterestEvents.Name, letter.SourceTopic);
        // One key per letter, so that a redacted copy supersedes it; the letter keeps its source's key.
        Assert.Equal(RecordKeys.DeadLetter(letter.SourceTopic, letter.SourcePartition, letter.SourceOffset), Encoding.UTF8.GetString(record.Message.Key!));
        Assert.NotNull(letter.Value);
        return letter;
    }

    public Task<PinterestEvent> EventOfAsync(DeadLetter letter) => _serdes.DeserializeAsync<PinterestEvent>(letter.Value, Topics.PinterestEvents.Name);

    /// <summary>Forgets that Pinterest accepted <paramref name="key"/>, for an id a test sends twice on purpose.</summary>
    public void ForgetAccepted(string key) => ((System.Collections.Concurrent.ConcurrentDictionary<string, int>)Pinterest.Accepted).TryRemove(key, out _);

    /// <summary>Exactly <paramref name="count"/> records of <paramref name="topic"/>, decoded.</summary>
    private async Task<List<T>> ReadAsync<T>(string topic, int count)
        where T : Avro.Specific.ISpecificRecord, new()
    {
        var records = new List<T>();
        foreach (var record in kafka.ReadAll(topic, count, Patience))
        {
            records.Add(await _serdes.DeserializeAsync<T>(record.Message.Value, record.Topic));
        }

        Assert.Equal(count, records.Count);
        return records;
    }

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
