using Engine.LoadTest.Metrics;
using Engine.LoadTest.Reports;
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
    public void Reads_the_gc_by_generation_and_splits_its_memory_into_live_free_inside_and_free_outside()
    {
        var sample = AdminSample.Parse("""
            # TYPE dotnet_gc_heap_size_bytes gauge
            dotnet_gc_heap_size_bytes 30000000
            dotnet_gc_committed_bytes 40000000
            dotnet_gc_allocated_bytes_total 9.5e+07
            dotnet_gc_collections_total{generation="0"} 9
            dotnet_gc_collections_total{generation="1"} 4
            dotnet_gc_collections_total{generation="2"} 3
            dotnet_gc_last_collection_heap_size_bytes{generation="0"} 0
            dotnet_gc_last_collection_heap_size_bytes{generation="1"} 1000000
            dotnet_gc_last_collection_heap_size_bytes{generation="2"} 15000000
            dotnet_gc_last_collection_heap_size_bytes{generation="loh"} 5000000
            dotnet_gc_last_collection_heap_size_bytes{generation="poh"} 1000000
            dotnet_gc_last_collection_fragmentation_bytes{generation="0"} 0
            dotnet_gc_last_collection_fragmentation_bytes{generation="1"} 200000
            dotnet_gc_last_collection_fragmentation_bytes{generation="2"} 0
            dotnet_gc_last_collection_fragmentation_bytes{generation="loh"} 100000
            dotnet_gc_last_collection_fragmentation_bytes{generation="poh"} 0
            dotnet_gc_pause_seconds_total 0.05

            """);
        var gc = sample.Gc;
        Assert.Equal(30_000_000, gc.HeapBytes);
        Assert.Equal(95_000_000, gc.AllocatedBytes);
        // A collection of generation 2 counts in 0 and 1 as well: each generation's own.
        Assert.Equal(5, gc.CollectionsOf(0));
        Assert.Equal(1, gc.CollectionsOf(1));
        Assert.Equal(3, gc.CollectionsOf(2));
        Assert.Equal(22_000_000, gc.AfterCollectionBytes);
        Assert.Equal(300_000, gc.FragmentedBytes);
        Assert.Equal(21_700_000, gc.LiveBytes);
        Assert.Equal(18_000_000, gc.CommittedFreeBytes);
    }

    [Fact]
    public void Gc_figures_an_engine_does_not_export_read_as_unknown()
    {
        var gc = AdminSample.Parse("dotnet_gc_heap_size_bytes 1000\n").Gc;
        Assert.Equal(1000, gc.HeapBytes);
        Assert.False(gc.HasGenerations);
        Assert.Null(gc.CommittedBytes);
        Assert.Null(gc.AfterCollectionBytes);
        Assert.Null(gc.LiveBytes);
        Assert.Null(gc.CollectionsOf(0));
    }

    [Fact]
    public void Missing_series_read_as_unknown_not_zero()
    {
        var sample = AdminSample.Parse("# nothing here\n");
        Assert.Equal(-1, sample.Sessions);
        Assert.Equal(-1, sample.Rooms);
        Assert.Empty(sample.Drops);
    }

    [Fact]
    public void The_allocation_rate_is_taken_over_the_last_ten_seconds_of_scrapes()
    {
        var recent = new Queue<(int Second, long Bytes)>();
        Assert.True(double.IsNaN(ReportWriter.AllocatedKbPerSecond(recent, 1, 0))); // one scrape: no rate yet
        // 8 KB steps every 4 s: 2 KB/s on average, though most seconds show no change.
        for (var second = 2; second <= 30; second++)
        {
            var rate = ReportWriter.AllocatedKbPerSecond(recent, second, second / 4 * 8192);
            if (second >= 12)
            {
                Assert.InRange(rate, 1.6, 2.4);
            }
        }
        Assert.True(double.IsNaN(ReportWriter.AllocatedKbPerSecond(recent, 31, null))); // a second without a scrape
        Assert.InRange(ReportWriter.AllocatedKbPerSecond(recent, 32, 8 * 8192), 1.6, 2.4);
    }
}
