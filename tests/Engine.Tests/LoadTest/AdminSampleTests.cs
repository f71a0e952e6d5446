using Engine.LoadTest.Metrics;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>The swarm's reader of the engine's /metrics keeps sessions, rooms and drops by reason, summed over shards.</summary>
public sealed class AdminSampleTests
{
    private const string Text = """
        # HELP engine_sessions Open sessions
        # TYPE engine_sessions gauge
        engine_sessions{shard="0"} 3
        engine_sessions{shard="1"} 4
        # TYPE engine_rooms gauge
        engine_rooms{shard="0"} 1
        engine_rooms{shard="1"} 0
        # TYPE engine_packets_dropped_total counter
        engine_packets_dropped_total{reason="bad_cookie"} 10
        engine_packets_dropped_total{reason="oversized"} 2
        # TYPE engine_handshakes_total counter
        engine_handshakes_total{stage="hello"} 20
        engine_sessions_timed_out_total{shard="0"} 1
        engine_sessions_timed_out_total{shard="1"} 2
        process_resident_memory_bytes 1.5e+07

        """;

    [Fact]
    public void Sums_shards_and_keeps_drops_by_reason()
    {
        var sample = AdminSample.Parse(Text);
        Assert.Equal(7, sample.Sessions);
        Assert.Equal(1, sample.Rooms);
        Assert.Equal(3, sample.TimedOut);
        Assert.Equal(12, sample.TotalDrops);
        Assert.Equal(20, sample.Handshakes["hello"]);

        var later = AdminSample.Parse(Text.Replace("reason=\"bad_cookie\"} 10", "reason=\"bad_cookie\"} 25", StringComparison.Ordinal));
        var delta = later.DropsSince(sample);
        Assert.Equal(15, delta["bad_cookie"]);
        Assert.False(delta.ContainsKey("oversized")); // unchanged reasons are left out
    }

    [Fact]
    public void Missing_series_read_as_unknown_not_zero()
    {
        var sample = AdminSample.Parse("# nothing here\n");
        Assert.Equal(-1, sample.Sessions);
        Assert.Equal(-1, sample.Rooms);
        Assert.Empty(sample.Drops);
    }
}
