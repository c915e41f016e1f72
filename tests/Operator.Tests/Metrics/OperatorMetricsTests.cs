using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Streaming.Operator.Metrics;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Operator.Tests.Metrics;

/// <summary>What <see cref="OperatorMetrics"/> records for each record the feed hands it, read with a MeterListener: no broker, no exporter.</summary>
public sealed class OperatorMetricsTests : IDisposable
{
    private const string Shop = "metrics.myshopify.com";
    private static readonly DateTimeOffset Started = new(2026, 11, 28, 15, 0, 0, TimeSpan.Zero);

    private readonly RenamingMeterFactory _meters = new();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measured = [];
    private readonly OperatorMetrics _metrics;

    public OperatorMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == _meters)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _listener.Start();
        var view = new OperatorView(Options.Create(new ShopList<OperatorShop> { Items = [new OperatorShop { Domain = Shop }] }));
        _metrics = new OperatorMetrics(_meters, view, new FixedClock(Started));
    }

    [Fact]
    public void A_record_written_before_the_instance_started_is_the_pages_and_not_counted()
    {
        _metrics.Count(Fed.Delivery(Shop, "checkout", "processed", Started).Value, Started.AddTicks(-1));

        Assert.Empty(_measured);
    }

    [Fact]
    public void A_delivery_written_since_the_start_counts_its_outcomes_keys_delay_and_order()
    {
        _metrics.Count(Fed.Delivery(Shop, "checkout", "processed", Started.AddMinutes(1), delay: TimeSpan.FromSeconds(90), keys: ["em", "external_id"]).Value, Started);

        Assert.Equal(1, Single(OperatorMetrics.Events, ("outcome", "sent")));
        Assert.Equal(1, Single(OperatorMetrics.Events, ("outcome", "accepted")));
        Assert.Equal<string>(["accepted", "sent"], Outcomes());
        Assert.Equal(90, Single(OperatorMetrics.Delay, ("event_name", "checkout")));
        Assert.Equal(1, Single(OperatorMetrics.MatchKeys, ("key", "external_id")));
        Assert.Equal(1, Single(OperatorMetrics.Orders, ("kind", OperatorMetrics.OrderKinds.CheckoutAccepted)));
        Assert.All(_measured, m => Assert.Equal(Shop, m.Tags["shop"]));
        Assert.DoesNotContain(_measured, m => m.Tags.ContainsKey("window") || m.Tags.ContainsKey("quantile") || m.Tags.ContainsKey("date"));
    }

    [Fact]
    public void A_replayed_delivery_is_counted_without_a_delay()
    {
        _metrics.Count(Fed.Delivery(Shop, "checkout", "processed", Started.AddMinutes(1), delay: TimeSpan.FromDays(3), replay: "backfill-1").Value, Started.AddMinutes(1));

        Assert.Equal(1, Single(OperatorMetrics.Events, ("outcome", "accepted")));
        Assert.DoesNotContain(_measured, m => m.Instrument == OperatorMetrics.Delay);
    }

    [Fact]
    public void An_excluded_web_order_counts_as_received_excluded_with_its_reason_and_as_an_order()
    {
        _metrics.Count(Fed.Outcome(Shop, "orders/create", "checkout", "skipped", Started, reason: "test_order").Value, Started);

        Assert.Equal<string>(["excluded", "received"], Outcomes());
        Assert.Equal(1, Single(OperatorMetrics.EventsByReason, ("reason", "test_order")));
        Assert.Equal(1, Single(OperatorMetrics.Orders, ("kind", OperatorMetrics.OrderKinds.Received)));
        Assert.DoesNotContain(_measured, m => m.Instrument == OperatorMetrics.WebOrders);
    }

    [Fact]
    public void A_mapped_web_order_counts_whether_it_joined_a_session_and_had_a_click_id()
    {
        _metrics.Count(Fed.Outcome(Shop, "orders/create", "checkout", "mapped", Started, joined: false, clickId: true).Value, Started);

        var order = Assert.Single(_measured, m => m.Instrument == OperatorMetrics.WebOrders);
        Assert.Equal(("false", "true"), (order.Tags["session"], order.Tags["click_id"]));
    }

    [Fact]
    public void A_shop_that_is_not_configured_is_not_counted()
    {
        _metrics.Count(Fed.Delivery("stranger.myshopify.com", "checkout", "processed", Started).Value, Started);
        _metrics.Count(Fed.Outcome("stranger.myshopify.com", "orders/create", "checkout", "mapped", Started).Value, Started);

        Assert.Empty(_measured);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meters.Dispose();
    }

    private double Single(string instrument, (string Key, string Value) tag) =>
        Assert.Single(_measured, m => m.Instrument == instrument && m.Tags.GetValueOrDefault(tag.Key) == tag.Value).Value;

    private List<string> Outcomes() =>
        [.. _measured.Where(m => m.Instrument == OperatorMetrics.Events).Select(m => m.Tags["outcome"] ?? "").Order(StringComparer.Ordinal)];

    private void Measured(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var byKey = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            byKey[tag.Key] = tag.Value?.ToString();
        }

        lock (_measured)
        {
            _measured.Add((instrument.Name, value, byKey));
        }
    }

    /// <summary>
    /// Meters under a name of their own: the operator hosts of the other tests in this process export every
    /// meter named Streaming.Pipeline, and would count these measurements, then stop exporting the
    /// streams they share with it once this test disposes it.
    /// </summary>
    private sealed class RenamingMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _created = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions($"{options.Name}.{nameof(OperatorMetricsTests)}") { Version = options.Version, Tags = options.Tags, Scope = this });
            _created.Add(meter);
            return meter;
        }

        public void Dispose() => _created.ForEach(m => m.Dispose());
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
