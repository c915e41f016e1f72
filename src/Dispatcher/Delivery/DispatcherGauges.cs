using System.Diagnostics.Metrics;
using Streaming.Contracts;
using Streaming.Dispatcher.Dedupe;
using Streaming.Dispatcher.Pinterest;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// What each shop holds, read when metrics are collected: unfinished events and the age of the oldest
/// (the per-shop lag the docs' alert watches), whether it is paused; each ad account's circuit; and the
/// entries of the delivered-id store.
/// </summary>
public sealed class DispatcherGauges(
    PipelineTelemetry telemetry, PartitionProgress progress, DeliveredIds delivered, ShopLanes lanes, CircuitStates circuits, TimeProvider clock) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        telemetry.Observe("pipeline.dispatcher.shop.pending", "{event}", "Events read and not yet finished, by shop.", () =>
            progress.Snapshot().GroupBy(p => p.Event.ShopDomain).Select(g => new Measurement<long>(g.Count(), new KeyValuePair<string, object?>("shop", g.Key))));
        telemetry.Observe("pipeline.dispatcher.shop.oldest_pending_age", "s", "Seconds since the oldest unfinished event of the shop was written to Kafka.", () =>
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            return progress.Snapshot().GroupBy(p => p.Event.ShopDomain).Select(g => new Measurement<long>(
                (now - g.Min(p => p.Raw.Message.Timestamp.UnixTimestampMs)) / 1000, new KeyValuePair<string, object?>("shop", g.Key)));
        });
        telemetry.Observe("pipeline.dispatcher.shop.paused", "{shop}", "1 while the shop is paused because Pinterest refused its conversion token (401, 403), else 0; by shop.", () =>
            lanes.Lanes.Select(l => new Measurement<long>(l.Value.Paused ? 1 : 0, new KeyValuePair<string, object?>("shop", l.Key))));
        telemetry.Observe("pipeline.dispatcher.circuit.state", "{state}", "The circuit breaker of each ad account: 0 closed, 1 half-open, 2 open (its requests refused without being sent).", () =>
            circuits.Snapshot().Select(c => new Measurement<long>(c.State, new KeyValuePair<string, object?>("ad_account_id", c.AdAccountId))));
        telemetry.Observe("pipeline.dispatcher.delivered_ids", "{id}", "Accepted event ids this instance remembers (estimated).", () => delivered.Entries);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
