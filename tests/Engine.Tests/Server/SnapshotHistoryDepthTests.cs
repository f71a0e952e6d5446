using Engine.Server;
using Engine.Server.Snapshots;
using Xunit;

namespace Engine.Tests.Server;

/// <summary>How many snapshot frames a room keeps: a second of snapshots by default, within what a client's view can name.</summary>
public sealed class SnapshotHistoryDepthTests
{
    [Theory]
    [InlineData(10, 1000, 11)]
    [InlineData(20, 1000, 21)]
    [InlineData(30, 1000, 31)]
    [InlineData(60, 1000, SnapshotView.Remembered + 1)]
    [InlineData(10, 3200, SnapshotView.Remembered + 1)]
    [InlineData(20, 125, 4)]
    [InlineData(1, 100, 3)]
    public void A_room_keeps_the_snapshots_of_the_history_span_plus_the_newest(int snapshotRate, int historyMs, int expected)
    {
        var options = new ServerOptions { TickRate = 60, SnapshotRate = snapshotRate, SnapshotHistoryMs = historyMs };

        Assert.Equal(expected, options.SnapshotHistoryDepth);
    }

    [Fact]
    public void The_default_is_a_second_of_snapshots()
    {
        var options = new ServerOptions();

        Assert.Equal(1000, options.SnapshotHistoryMs);
        Assert.Equal(options.SnapshotRate + 1, options.SnapshotHistoryDepth);
        Assert.DoesNotContain(options.Validate(), e => e.StartsWith("snapshot-history-ms:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(99)]
    [InlineData(60_001)]
    public void A_span_out_of_range_is_refused(int historyMs)
    {
        var errors = new ServerOptions { SnapshotHistoryMs = historyMs }.Validate();

        Assert.Contains(errors, e => e.StartsWith("snapshot-history-ms:", StringComparison.Ordinal));
    }
}
