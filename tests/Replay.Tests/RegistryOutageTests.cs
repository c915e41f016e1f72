using System.Buffers.Binary;
using Streaming.Dispatcher;
using Streaming.Enricher;

namespace Streaming.Replay.Tests;

/// <summary>
/// The schema registry is unreachable while every group reader of the pipeline (the enricher's consumer
/// loop, the dispatcher) and both replay commands have records of schema ids they have not seen. The
/// readers use Confluent's registry client against a registry on loopback whose connections are reset.
/// All of them run at once, so the outage is waited out once. A shorter test shows that the tool's first
/// read, the dispatcher's delivered-id changelog, waits out an outage too.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class RegistryOutageTests(KafkaFixture kafka) : OnReplayRig(kafka)
{
    // Confluent's registry client tries a request 1 + max.retries (3 by default) times before it gives up.
    private const int RegistryClientTries = 4;

    // Longer than max.poll.interval.ms below: a reader that stopped polling while it waited for the
    // registry would be put out of its group, and say so ("gave up", "lost").
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(10);

    private SchemaRegistryStandIn _registry = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _registry = await SchemaRegistryStandIn.StartAsync();
        Rig.Settings.Remove("SchemaRegistry:UseInMemoryRegistry");
        Rig.Settings["SchemaRegistry:Url"] = _registry.BaseUrl.ToString();
        Rig.Settings["Kafka:Client:max.poll.interval.ms"] = ((int)MaxPollInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _registry.DisposeAsync();
    }

    [Fact]
    public async Task Every_reader_waits_out_the_outage_in_its_group_stops_when_asked_and_handles_every_record_once_the_registry_is_back()
    {
        var now = DateTimeOffset.UtcNow;
        string[] direct = ["outage-direct-1", "outage-direct-2", "outage-direct-3"];
        string[] orders = ["9007199254741001", "9007199254741003"];
        await Rig.ProduceEventsAsync(direct.Select(id => TestRecords.Checkout(id)));
        await Rig.ProduceAsync(Rig.Topics.ShopifyWebhooks.Name, orders.Select((id, i) => ($"{Shop}/cart-{id}", (Avro.Specific.ISpecificRecord)ReplayRecords.Order(id, $"cart-{id}", now.AddMinutes(-10 + i)))));
        _registry.Reachable = false;
        var outageStarted = DateTime.UtcNow;

        var enricher = await Rig.StartEnricherAsync();
        var dispatcher = await Rig.StartDispatcherAsync();
        // Members of groups of their own, stopped during the outage (as a SIGTERM would).
        var stoppedEnricher = await TestHost.StartAsync(OwnGroup(), b => b.AddEnricher());
        var stoppedDispatcher = await TestHost.StartAsync(OwnGroup(), b => b.AddDispatcher());
        // On threads of their own: the tool reads synchronously until its first write.
        var reenrich = Task.Run(() => Rig.Tool.RunAsync("reenrich", "--shop", Shop, "--from", "-1d"));
        var resend = Task.Run(() => Rig.Tool.RunAsync("resend", "--shop", Shop, "--from", "-1d"));

        await Task.WhenAll(new[] { enricher, dispatcher, stoppedEnricher, stoppedDispatcher }.Select(h => WaitForLogAsync(h, "cannot be read yet")));
        foreach (var host in new[] { stoppedEnricher, stoppedDispatcher })
        {
            await host.App.StopAsync();
            Assert.Contains(host.Logs.Lines, l => l.Message.Contains("stopped reading", StringComparison.Ordinal));
            await host.DisposeAsync();
        }

        var left = Outage - (DateTime.UtcNow - outageStarted);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }

        Assert.False(reenrich.IsCompleted, reenrich.IsCompleted ? (await reenrich).ToString() : "");
        Assert.False(resend.IsCompleted, resend.IsCompleted ? (await resend).ToString() : "");
        Assert.NotEmpty(_registry.Refused);
        _registry.Reachable = true;

        var resent = await resend;
        var reenriched = await reenrich;
        Assert.True(resent.ExitCode == ReplayCli.Done, resent.ToString());
        Assert.Equal(direct.Length, resent.Count("events sent to the dispatcher"));
        Assert.True(reenriched.ExitCode == ReplayCli.Done, reenriched.ToString());
        Assert.Equal(orders.Length, reenriched.Count("events sent to the dispatcher"));
        // The dispatcher sends what it read itself and what the enricher made of the webhooks.
        await Rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, [.. direct, .. orders], ReplayRig.Patience);
        foreach (var host in new[] { enricher, dispatcher })
        {
            Assert.DoesNotContain(host.Logs.Lines, l => l.Message.Contains("gave up", StringComparison.Ordinal) || l.Message.Contains(" lost ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Resend_waits_out_an_outage_while_it_reads_the_delivered_ids_and_then_skips_what_Pinterest_accepted()
    {
        string[] accepted = ["accepted-1", "accepted-2"];
        await Rig.ProduceEventsAsync([.. accepted.Select(id => TestRecords.Checkout(id)), TestRecords.Checkout("never-sent")]);
        var changelog = Rig.Topics.DispatcherDelivered.Name;
        var serdes = TestRecords.Serdes();
        var entries = new List<(string, byte[]?)>();
        foreach (var id in accepted)
        {
            var entry = new DeliveredEvent { AcceptedAt = DateTime.UtcNow.AddMinutes(-5), ShopDomain = Shop };
            entries.Add((RecordKeys.Delivered(TestSettings.AdAccountId, id), await serdes.SerializeAsync(entry, changelog)));
        }

        await Rig.Kafka.ProduceAsync(changelog, entries);
        // The Confluent wire format: a zero byte, then the schema id, big-endian.
        var schemaRequest = $"GET /schemas/ids/{BinaryPrimitives.ReadInt32BigEndian(entries[0].Item2.AsSpan(1, 4))}";
        _registry.Reachable = false;

        var resend = Task.Run(() => Rig.Tool.RunAsync("resend", "--shop", Shop, "--from", "-1d", "--dry-run"));

        // The changelog is read before any event. More refused requests for its schema than one decode makes,
        // with the run still going, mean the reader itself waited and tried again instead of stopping.
        var until = DateTime.UtcNow + ReplayRig.Patience;
        while (_registry.Refused.Count(r => r == schemaRequest) <= RegistryClientTries && !resend.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < until, $"The delivered ids' schema was asked for {_registry.Refused.Count(r => r == schemaRequest)} time(s) in {ReplayRig.Patience.TotalSeconds} s.");
            await Task.Delay(100);
        }

        Assert.False(resend.IsCompleted, resend.IsCompleted ? (await resend).ToString() : "");
        _registry.Reachable = true;

        var result = await resend;
        Assert.True(result.ExitCode == ReplayCli.Done, result.ToString());
        Assert.Equal(accepted.Length, result.Count("already_accepted"));
        Assert.Equal(1, result.Count($"{Shop} checkout"));
    }

    private Dictionary<string, string?> OwnGroup() => new(Rig.Settings)
    {
        ["Enricher:GroupId"] = $"enricher-{Guid.NewGuid():N}",
        ["Enricher:State:Directory"] = Path.Combine(Path.GetTempPath(), $"enricher-state-{Guid.NewGuid():N}"),
        ["Dispatcher:GroupId"] = $"dispatcher-{Guid.NewGuid():N}",
        ["Dispatcher:State:Directory"] = Path.Combine(Path.GetTempPath(), $"dispatcher-state-{Guid.NewGuid():N}"),
    };

    private static async Task WaitForLogAsync(TestHost host, string text)
    {
        var until = DateTime.UtcNow + ReplayRig.Patience;
        while (!host.Logs.Lines.Any(l => l.Message.Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < until, $"No log line with '{text}' in {ReplayRig.Patience.TotalSeconds} s:\n{string.Join('\n', host.Logs.Lines.Select(l => l.Message))}");
            await Task.Delay(100);
        }
    }
}
