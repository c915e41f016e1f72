using Streaming.Enricher.Stitching;

namespace Streaming.Enricher.Tests.Stitching;

/// <summary>The waiting room's answer to "when is the next wall-clock cap": what an idle poll waits for.</summary>
public sealed class WaitingRoomTests
{
    [Fact]
    public void The_next_cap_is_the_earliest_one_still_ahead()
    {
        var room = new WaitingRoom();
        room.Add(CartStates.Waiting("shop/a", 1_000, "w-1"), dueWallTime: 5_000);
        room.Add(CartStates.Waiting("shop/b", 2_000, "w-2"), dueWallTime: 3_000);
        room.Add(CartStates.Waiting("shop/c", 3_000, "w-3"), dueWallTime: 4_000);

        Assert.Equal(3_000, room.NextWallTime(after: 0));
        // A cap already reached is left out: it goes with the next punctuation, whenever that is.
        Assert.Equal(4_000, room.NextWallTime(after: 3_000));
        Assert.Null(room.NextWallTime(after: 5_000));
    }

    [Fact]
    public void An_empty_room_or_a_released_event_schedules_nothing()
    {
        var room = new WaitingRoom();
        Assert.Null(room.NextWallTime(after: 0));

        var key = CartStates.Waiting("shop/a", 1_000, "w-1");
        room.Add(key, dueWallTime: 5_000);
        room.Remove(key);

        Assert.Null(room.NextWallTime(after: 0));
    }
}
