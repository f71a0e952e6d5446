using Engine.Protocol.Snapshots;
using Xunit;

namespace Engine.Tests.Protocol.Snapshots;

public class SnapshotHistoryTests
{
    [Fact]
    public void Keeps_the_newest_frames_and_starts_each_from_the_latest()
    {
        var history = new SnapshotHistory(32, depth: 4);
        Assert.Null(history.Latest);
        for (var tick = 3u; tick <= 18; tick += 3)
        {
            var frame = history.Push(tick);
            Assert.Equal(tick, frame.Tick);
            if (tick == 3)
            {
                frame.Add(7);
            }
            frame.Set(7, SnapshotField.PositionX, (int)tick);
        }

        Assert.Equal(4, history.Count);
        Assert.False(history.TryGet(6, out _));
        Assert.True(history.TryGet(9, out var old));
        Assert.Equal(9, old.Get(7, SnapshotField.PositionX));
        Assert.True(old.IsPresent(7));
        Assert.Same(history.Latest, history.TryGet(18, out var newest) ? newest : null);
        Assert.Throws<ArgumentOutOfRangeException>(() => history.Push(18));
    }

    [Fact]
    public void Frames_round_their_storage_up_but_not_their_capacity()
    {
        var frame = new SnapshotFrame(65);
        Assert.Equal(65, frame.Capacity);
        Assert.Equal(128, frame.Stride);
        Assert.Equal(65, frame.Field(SnapshotField.Yaw).Length);
        Assert.False(frame.IsPresent(65));
        Assert.Throws<ArgumentOutOfRangeException>(() => frame.Add(65));
        frame.Add(64);
        Assert.Equal(1, frame.Count);
        Assert.Equal(65, frame.HighWater());
    }
}
