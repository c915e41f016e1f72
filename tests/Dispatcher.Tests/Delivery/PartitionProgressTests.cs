using Confluent.Kafka;

namespace Streaming.Dispatcher.Tests.Delivery;

public sealed class PartitionProgressTests
{
    private static readonly TopicPartition Partition = new("pinterest.events", 0);

    [Fact]
    public void The_stored_offset_stops_at_the_lowest_unfinished_record_whatever_finished_after_it()
    {
        var progress = new PartitionProgress();
        var events = Enumerable.Range(0, 5).Select(Pending).ToList();
        events.ForEach(progress.Started);

        // A fast shop finishes 1, 3 and 4; the slow shop's record 0 and 2 are still out.
        progress.Finished(events[1]);
        progress.Finished(events[3]);
        progress.Finished(events[4]);
        Assert.Equal(0, Assert.Single(progress.Committable()).Offset.Value);

        progress.Finished(events[0]);
        Assert.Equal(2, Assert.Single(progress.Committable()).Offset.Value);
        Assert.Empty(progress.Committable());

        progress.Finished(events[2]);
        Assert.Equal(5, Assert.Single(progress.Committable()).Offset.Value);
        Assert.Equal(0, progress.Unfinished(Partition));
    }

    [Fact]
    public void Records_of_a_dropped_partition_are_abandoned_and_finishing_them_later_moves_nothing()
    {
        var progress = new PartitionProgress();
        var held = Pending(0);
        progress.Started(held);

        progress.Drop([Partition]);
        progress.Finished(held);

        Assert.True(held.Abandoned);
        Assert.False(held.Open);
        Assert.Empty(progress.Committable());
    }

    [Fact]
    public void A_request_that_starts_after_its_partition_was_handed_over_carries_none_of_its_events()
    {
        var progress = new PartitionProgress();
        var other = new TopicPartition(Partition.Topic, 1);
        var handedOver = Pending(0);
        var kept = Pending(0, other);
        progress.Started(handedOver);
        progress.Started(kept);

        // The lane checked both open, then waited (rate limit); the hand-over saw nothing sending meanwhile.
        progress.Abandon([Partition]);
        Assert.True(progress.WaitUntilNotSending([Partition], TimeSpan.Zero));

        var sending = progress.StartSending([handedOver, kept]);

        Assert.Equal([kept], sending);
        Assert.True(progress.WaitUntilNotSending([Partition], TimeSpan.Zero));
        Assert.False(progress.WaitUntilNotSending([other], TimeSpan.Zero));
        progress.StopSending(sending);
        Assert.True(progress.WaitUntilNotSending([other], TimeSpan.Zero));
    }

    [Fact]
    public void A_hand_over_waits_for_a_request_that_started_before_it()
    {
        var progress = new PartitionProgress();
        var pending = Pending(0);
        progress.Started(pending);

        var sending = progress.StartSending([pending]);
        progress.Abandon([Partition]);

        Assert.Equal([pending], sending);
        Assert.False(progress.WaitUntilNotSending([Partition], TimeSpan.FromMilliseconds(50)));
        progress.StopSending(sending);
        Assert.True(progress.WaitUntilNotSending([Partition], TimeSpan.Zero));
    }

    private static PendingEvent Pending(int offset) => Pending(offset, Partition);

    private static PendingEvent Pending(int offset, TopicPartition partition) => new(
        new ConsumeResult<byte[]?, byte[]>
        {
            TopicPartitionOffset = new TopicPartitionOffset(partition, offset),
            Message = new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes($"k{offset}"), Value = [], Timestamp = new Timestamp(DateTime.UtcNow) },
        },
        TestRecords.Checkout($"e-{offset}"),
        new DispatcherShop { Domain = TestSettings.Shop });
}
