using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;

namespace Streaming.Dispatcher.Tests;

/// <summary>
/// The metrics an operator alerts on, read in-process through a <see cref="MeterListener"/> on the
/// dispatcher's own meter while Pinterest fails, refuses a token and recovers.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class MetricsTests(KafkaFixture kafka) : IAsyncLifetime
{
    private const string ShopB = "b-shop.myshopify.com";
    private const string AdAccountB = "222";
    private readonly DispatcherRig _rig = new(kafka);
    private readonly ConcurrentQueue<Reading> _readings = new();
    private readonly MeterListener _listener = new();

    public Task InitializeAsync() => _rig.InitializeAsync();

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _rig.DisposeAsync();
    }

    [Fact]
    public async Task The_circuit_of_an_ad_account_shows_open_half_open_and_closed_and_the_oldest_event_ages_until_it_is_delivered()
    {
        // Two failures open the circuit; the trial request after the break is answered slowly, then taken.
        _rig.Pinterest.Respond = (call, _) => call switch
        {
            < 2 => (500, """{"code":0,"message":"Internal error"}"""),
            2 => new FakeAnswer(200, Delay: TimeSpan.FromSeconds(2)),
            _ => 200,
        };
        var host = await _rig.StartAsync(new()
        {
            ["Pinterest:CircuitBreakerMinimumThroughput"] = "2",
            ["Pinterest:CircuitBreakerBreakDuration"] = "00:00:00.500",
            ["Pinterest:RequestTimeout"] = "00:00:05",
        });
        Listen(host);

        await _rig.ProduceAsync(TestRecords.Checkout("late"));

        await WaitForAsync("pipeline.dispatcher.circuit.state", 2, TestSettings.AdAccountId);
        await WaitForAsync("pipeline.dispatcher.circuit.state", 1, TestSettings.AdAccountId);
        await WaitForAsync("pipeline.dispatcher.shop.oldest_pending_age", age => age >= 1, "1 or more", TestSettings.Shop);
        Assert.Equal("processed", Assert.Single(await _rig.DeliveriesAsync(1)).Status);
        await WaitForAsync("pipeline.dispatcher.circuit.state", 0, TestSettings.AdAccountId);

        await DispatcherRig.WaitUntilAsync(() => _readings.Any(r => r.Name == "pipeline.dispatcher.delivery.duration"), "the delivery's duration was recorded");
        var duration = Assert.Single(_readings, r => r.Name == "pipeline.dispatcher.delivery.duration");
        Assert.Equal((TestSettings.Shop, "processed"), (duration.Tag("shop"), duration.Tag("outcome")));
        // Written before the first attempt, answered after the open circuit's break and the slow trial.
        Assert.InRange(duration.Value, 2.0, 60.0);
        // Finished: the shop holds nothing any more.
        var before = _readings.Count;
        _listener.RecordObservableInstruments();
        Assert.DoesNotContain(_readings.Skip(before), r => r.Name == "pipeline.dispatcher.shop.oldest_pending_age");
    }

    [Fact]
    public async Task A_shop_paused_for_a_refused_token_reads_1_until_its_token_is_fixed_while_another_shop_reads_0()
    {
        _rig.Pinterest.Respond = (_, request) => request.Authorization == "Bearer b-refused"
            ? (401, """{"code":2,"message":"Authentication failed."}""")
            : 200;
        var host = await _rig.StartAsync(new()
        {
            ["Shops:1:Domain"] = ShopB,
            ["Shops:1:WebhookSecrets:0"] = "b-secret",
            ["Shops:1:Pinterest:AdAccountId"] = AdAccountB,
            ["Shops:1:Pinterest:ConversionToken"] = "b-refused",
        });
        Listen(host);

        await _rig.ProduceAsync(TestRecords.Checkout("a-1"), TestRecords.Checkout("b-1", ShopB));
        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["a-1"], DispatcherRig.Patience);

        await WaitForAsync("pipeline.dispatcher.shop.paused", 1, ShopB);
        await WaitForAsync("pipeline.dispatcher.shop.paused", 0, TestSettings.Shop);

        var configuration = (IConfigurationRoot)host.Service<IConfiguration>();
        configuration["Shops:1:Pinterest:ConversionToken"] = "b-fixed";
        configuration.Reload();
        await _rig.Pinterest.WaitForAcceptedAsync(AdAccountB, ["b-1"], DispatcherRig.Patience);
        await WaitForAsync("pipeline.dispatcher.shop.paused", 0, ShopB);
    }

    // Only this host's instruments: other hosts in the process have meters of the same name.
    private void Listen(TestHost host)
    {
        var factory = host.Service<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PipelineTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _readings.Enqueue(new(instrument.Name, value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _readings.Enqueue(new(instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>Collects the gauges until <paramref name="name"/> reads <paramref name="value"/> for the shop or ad account.</summary>
    private Task WaitForAsync(string name, double value, string who) => WaitForAsync(name, v => v >= value && v <= value, $"{value}", who);

    private async Task WaitForAsync(string name, Func<double, bool> wanted, string value, string who)
    {
        var until = DateTime.UtcNow + DispatcherRig.Patience;
        while (true)
        {
            // What the gauge reads now, not what it read before.
            var before = _readings.Count;
            _listener.RecordObservableInstruments();
            var now = _readings.Skip(before).Where(r => r.Name == name && (r.Tag("shop") ?? r.Tag("ad_account_id")) == who).ToList();
            if (now.Any(r => wanted(r.Value)))
            {
                return;
            }

            var seen = string.Join(", ", _readings.Where(r => r.Name == name).Select(r => $"{r.Value}@{(r.Tag("shop") ?? r.Tag("ad_account_id"))}").Distinct());
            Assert.True(DateTime.UtcNow < until, $"{name} never read {value} for {who} (read: {seen}).");
            await Task.Delay(20);
        }
    }

    private sealed record Reading(string Name, double Value, KeyValuePair<string, object?>[] Tags)
    {
        public string? Tag(string key) => Tags.FirstOrDefault(t => t.Key == key).Value?.ToString();
    }
}
