using Avro.Specific;
using Streaming.Enricher.Tasks;

namespace Streaming.Enricher.Tests.Tasks;

/// <summary>A partition's task and the batch around it, on state held in memory: no Kafka.</summary>
public sealed class PartitionTaskTests : IDisposable
{
    private readonly ProcessorHarness _harness = new();
    private readonly TaskDriver _driver;
    private readonly PartitionTask _task;
    private readonly DateTimeOffset _t0;

    public PartitionTaskTests()
    {
        _t0 = _harness.Clock.Now.AddMinutes(-10);
        _driver = new TaskDriver(_harness);
        _task = _driver.NewTask();
    }

    [Fact]
    public async Task Stream_time_past_the_grace_period_releases_the_waiting_order_before_the_next_record_and_a_later_session_adds_nothing()
    {
        await HandleAsync(
            Record(TaskDriver.Webhooks, ProcessorHarness.Order("9007199254741011", "cart-slow", _t0), _t0),
            Record(TaskDriver.Storefront, ProcessorHarness.Session("someone-else", "click-other", _t0.AddSeconds(31)), _t0.AddSeconds(31)),
            Record(TaskDriver.Storefront, ProcessorHarness.Session("cart-slow", "click-slow", _t0.AddSeconds(32)), _t0.AddSeconds(32)));

        var checkout = Assert.Single(_harness.Output.Events, e => e.EventName == "checkout");
        Assert.NotEqual("click-slow", checkout.UserData.ClickId);
        Assert.Equal(0, _task.Waiting);
        Assert.Equal(_t0.AddSeconds(32).ToUnixTimeMilliseconds(), _task.StreamTime);
    }

    [Fact]
    public async Task A_storefront_input_still_behind_holds_stream_time_back_and_its_session_is_joined()
    {
        var order = Record(TaskDriver.Webhooks, ProcessorHarness.Order("9007199254741013", "cart-behind", _t0), _t0);
        var later = Record(TaskDriver.Webhooks, ProcessorHarness.Order("9007199254741015", "cart-other", _t0.AddSeconds(60)), _t0.AddSeconds(60));
        var seen = Record(TaskDriver.Storefront, ProcessorHarness.Session("cart-seen", "click-seen", _t0.AddSeconds(-5)), _t0.AddSeconds(-5));

        // The storefront input has unread records: the webhook a minute later does not end the first order's wait.
        await HandleAsync([new TopicPartition(TaskDriver.Storefront, 0)], seen, order, later);
        Assert.Equal(2, _task.Waiting);
        Assert.Equal(_t0.AddSeconds(-5).ToUnixTimeMilliseconds(), _task.StreamTime);

        await HandleAsync(Record(TaskDriver.Storefront, ProcessorHarness.Session("cart-behind", "click-behind", _t0.AddSeconds(1)), _t0.AddSeconds(1)));
        Assert.Equal("click-behind", Assert.Single(_harness.Output.Events, e => e.EventId == "9007199254741013").UserData.ClickId);
    }

    [Fact]
    public async Task A_batch_whose_events_are_not_acknowledged_leaves_the_store_as_it_was_and_its_retry_starts_from_there()
    {
        await HandleAsync(Record(TaskDriver.Storefront, ProcessorHarness.Session("cart-r", "click-r", _t0), _t0));
        var before = _harness.Disk.Entries.ToDictionary(e => e.Key, e => e.Value);
        var batch = new[]
        {
            Record(TaskDriver.Webhooks, ProcessorHarness.Order("9007199254741017", "cart-r", _t0.AddSeconds(1)), _t0.AddSeconds(1)),
            Record(TaskDriver.Webhooks, ProcessorHarness.Order("9007199254741019", "cart-no-session", _t0.AddSeconds(2)), _t0.AddSeconds(2)),
        };

        _harness.Output.Failing = true;
        await Assert.ThrowsAsync<KafkaException>(() => HandleAsync(batch));

        Assert.Equal(before, _harness.Disk.Entries.ToDictionary(e => e.Key, e => e.Value));
        // Through the cache too: nothing of the failed batch is read back, and nothing it put in the waiting room stays.
        Assert.Empty((await _harness.ReadAsync(ProcessorHarness.Cart("cart-r")))!.SentOrders);
        Assert.Null(await _harness.ReadAsync(ProcessorHarness.Cart("cart-no-session")));
        Assert.Empty(_harness.States().Scan(CartStates.WaitingPrefix));
        Assert.Equal(0, _task.Waiting);

        _harness.Output.Failing = false;
        await HandleAsync(batch);

        Assert.Equal("click-r", Assert.Single(_harness.Output.Events, e => e.EventName == "checkout").UserData.ClickId);
        Assert.Contains("9007199254741017", (await _harness.ReadAsync(ProcessorHarness.Cart("cart-r")))!.SentOrders);
        Assert.Equal(1, _task.Waiting);
        Assert.Single(_harness.Disk.Entries.Keys, k => k.StartsWith(CartStates.WaitingPrefix, StringComparison.Ordinal));
    }

    private Task HandleAsync(params ConsumedRecord<ISpecificRecord>[] records) => HandleAsync([], records);

    private Task HandleAsync(IReadOnlyCollection<TopicPartition> lagging, params ConsumedRecord<ISpecificRecord>[] records) =>
        _driver.HandleAsync(_task, lagging, records);

    private ConsumedRecord<ISpecificRecord> Record(string topic, ISpecificRecord value, DateTimeOffset at) => _driver.Record(topic, value, at);

    public void Dispose() => _harness.Dispose();
}
