using System.Buffers;
using System.Net;
using Engine.Host.Admin;
using Engine.Server.Diagnostics;
using Engine.Tests.Lifecycle;
using Engine.Tests.Server;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Engine.Tests.Admin;

/// <summary>The admin server in-process, where shutdown can be held at the point the binary passes in milliseconds.</summary>
public class AdminServerTests
{
    [Fact]
    public void Readyz_says_503_once_the_game_server_is_stopping_while_healthz_stays_200()
    {
        using var server = new TestServer();
        using var lifecycle = TestLifecycle.For(server.Server);
        using var admin = AdminServer.Start(IPAddress.Loopback, 0, server.Server, lifecycle, NullLoggerFactory.Instance);
        Assert.StartsWith("http://127.0.0.1:", admin.Address);

        Assert.Equal(HttpStatusCode.OK, AdminHttp.Get(admin.Address + "/readyz").Status);
        Assert.Equal(HttpStatusCode.OK, AdminHttp.Get(admin.Address + "/healthz").Status);
        Assert.Equal(HttpStatusCode.NotFound, AdminHttp.Get(admin.Address + "/nothing-here").Status);

        server.Server.Stop(TimeSpan.FromSeconds(1));

        var ready = AdminHttp.Get(admin.Address + "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("shutting down\n", ready.Body);
        Assert.Equal(HttpStatusCode.OK, AdminHttp.Get(admin.Address + "/healthz").Status);
    }

    [Theory]
    [InlineData("engine.packets.received", "{packet}", true, "engine_packets_received_total")]
    [InlineData("engine.bytes.sent", "By", true, "engine_bytes_sent_total")]
    [InlineData("engine.shard.allocated", "By", true, "engine_shard_allocated_bytes_total")]
    [InlineData("engine.sessions", "{session}", false, "engine_sessions")]
    [InlineData("engine.sessions.timed_out", "{session}", true, "engine_sessions_timed_out_total")]
    [InlineData("engine.tick-time", "s", false, "engine_tick_time_seconds")]
    [InlineData("engine.requests_total", null, true, "engine_requests_total")]
    public void Instrument_names_become_prometheus_names(string instrument, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, EngineMeterReader.PrometheusName(instrument, unit, counter));

    [Fact]
    public void Every_bucket_edge_is_an_edge_of_the_servers_histogram_so_no_count_is_split()
    {
        foreach (var family in new[] { PrometheusExporter.TickDuration, PrometheusExporter.Rtt, PrometheusExporter.SnapshotSize })
        {
            foreach (var edge in family.Edges)
            {
                Assert.Contains(Enumerable.Range(0, LogLinearHistogram.BucketCount), b => LogLinearHistogram.BucketUpperBound(b) == edge - 1);
            }
        }
        // A bound inside a bucket would have to guess how many of its values lie below it.
        Assert.Throws<ArgumentException>(() => new HistogramFamily("x", "x", [16, 1000], 1));
        Assert.Throws<ArgumentException>(() => new HistogramFamily("x", "x", [32, 16], 1));
    }

    [Fact]
    public void Tick_durations_land_in_the_right_cumulative_buckets()
    {
        var ticks = new LogLinearHistogram();
        foreach (var us in new[] { 3, 15, 16, 31, 1000, 16_383, 16_384, 500_000 })
        {
            ticks.Record(us);
        }
        Span<long> counts = stackalloc long[LogLinearHistogram.BucketCount];
        ticks.AddCountsTo(counts);
        var family = PrometheusExporter.TickDuration;
        var cumulative = family.Cumulative(counts);
        var edges = family.Edges;
        Assert.Equal(2, cumulative[Array.IndexOf(edges, 16)]);      // 3, 15 (< 16 us)
        Assert.Equal(4, cumulative[Array.IndexOf(edges, 32)]);      // + 16, 31
        Assert.Equal(5, cumulative[Array.IndexOf(edges, 1024)]);    // + 1000
        Assert.Equal(6, cumulative[Array.IndexOf(edges, 16384)]);   // + 16383
        Assert.Equal(7, cumulative[Array.IndexOf(edges, 32768)]);   // + 16384
        Assert.Equal(7, cumulative[edges.Length - 1]);
        Assert.Equal(8, cumulative[^1]);                            // +Inf: 500 ms
        Assert.Equal(3 + 15 + 16 + 31 + 1000 + 16_383 + 16_384 + 500_000, ticks.Sum);
    }

    [Fact]
    public void A_histogram_family_writes_cumulative_buckets_sum_and_count_per_shard_in_its_base_unit()
    {
        var shards = new[] { new LogLinearHistogram(), new LogLinearHistogram() };
        shards[0].Record(100);
        shards[0].Record(700);
        shards[1].Record(2000);
        var writer = new PrometheusTextWriter();
        new HistogramFamily("x_seconds", "help", [128, 1024], unitsPerBase: 1e6).Write(writer, shards);
        Assert.Equal(
            "# HELP x_seconds help\n# TYPE x_seconds histogram\n" +
            "x_seconds_bucket{shard=\"0\",le=\"0.000128\"} 1\nx_seconds_bucket{shard=\"0\",le=\"0.001024\"} 2\nx_seconds_bucket{shard=\"0\",le=\"+Inf\"} 2\n" +
            "x_seconds_sum{shard=\"0\"} 0.0008\nx_seconds_count{shard=\"0\"} 2\n" +
            "x_seconds_bucket{shard=\"1\",le=\"0.000128\"} 0\nx_seconds_bucket{shard=\"1\",le=\"0.001024\"} 0\nx_seconds_bucket{shard=\"1\",le=\"+Inf\"} 1\n" +
            "x_seconds_sum{shard=\"1\"} 0.002\nx_seconds_count{shard=\"1\"} 1\n",
            writer.ToString());
        PrometheusText.Parse(writer.ToString());
    }

    [Fact]
    public void Label_values_and_help_text_are_escaped()
    {
        var writer = new PrometheusTextWriter();
        writer.Family("x_total", "counter", "a \\ b\nc");
        writer.Sample("x_total", PrometheusTextWriter.Label("reason", "say \"hi\"\\\n"), 1L);
        Assert.Equal("# HELP x_total a \\\\ b\\nc\n# TYPE x_total counter\nx_total{reason=\"say \\\"hi\\\"\\\\\\n\"} 1\n", writer.ToString());
        PrometheusText.Parse(writer.ToString());
    }

    [Fact]
    public void Process_figures_are_read_from_proc_status_and_stat_as_the_kernel_writes_them()
    {
        var status = "Name:\tengine\nVmSize:\t 4218360 kB\nVmRSS:\t   38144 kB\nThreads:\t9\n"u8;
        Assert.True(ProcessMetrics.TryLineValue(status, "VmRSS:"u8, out var rss));
        Assert.Equal(38144, rss);
        Assert.True(ProcessMetrics.TryLineValue(status, "Threads:"u8, out var threads));
        Assert.Equal(9, threads);
        Assert.False(ProcessMetrics.TryLineValue(status, "VmSwap:"u8, out _));
        Assert.True(ProcessMetrics.TryLineValue("cpu  1 2 3\nbtime 1795656386\nprocesses 9\n"u8, "btime"u8, out var boot));
        Assert.Equal(1795656386, boot);

        // The command name may hold spaces and parentheses: fields count from the last ')'.
        var stat = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 900 0 0 0 731 125 0 0 20 0 9 0 3071 4218360000"u8;
        Assert.True(ProcessMetrics.TryStatField(stat, 11, out var user));
        Assert.Equal(731, user);
        Assert.True(ProcessMetrics.TryStatField(stat, 12, out var system));
        Assert.Equal(125, system);
        Assert.True(ProcessMetrics.TryStatField(stat, 19, out var start));
        Assert.Equal(3071, start);
        Assert.False(ProcessMetrics.TryStatField(stat, 40, out _));
    }

    [Fact]
    public void Gc_figures_cover_every_generation_with_the_free_space_inside_each()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var writer = new PrometheusTextWriter();
        ProcessMetrics.WriteGc(writer, GC.GetGCMemoryInfo());
        var text = PrometheusText.Parse(writer.ToString());

        string[] generations = ["generation=\"0\"", "generation=\"1\"", "generation=\"2\"", "generation=\"loh\"", "generation=\"poh\""];
        Assert.Equal(generations, text.Series("dotnet_gc_last_collection_heap_size_bytes").Select(s => s.Labels));
        Assert.Equal(generations, text.Series("dotnet_gc_last_collection_fragmentation_bytes").Select(s => s.Labels));
        Assert.Equal(generations[..3], text.Series("dotnet_gc_collections_total").Select(s => s.Labels));
        Assert.Equal("gauge", text.TypeOf("dotnet_gc_last_collection_heap_size_bytes"));
        Assert.Equal("counter", text.TypeOf("dotnet_gc_collections_total"));
        foreach (var generation in generations)
        {
            var size = text.Sum("dotnet_gc_last_collection_heap_size_bytes", generation);
            Assert.InRange(text.Sum("dotnet_gc_last_collection_fragmentation_bytes", generation), 0, size);
        }
        // The heap after a full collection holds at least this test's objects, and the GC has committed it.
        var afterCollection = text.Sum("dotnet_gc_last_collection_heap_size_bytes");
        Assert.True(afterCollection > 0);
        Assert.True(text.Sum("dotnet_gc_committed_bytes") >= afterCollection - text.Sum("dotnet_gc_last_collection_fragmentation_bytes"));
        Assert.True(text.Sum("dotnet_gc_collections_total", "generation=\"2\"") >= 1);
    }

    [Fact]
    public void A_scrape_reuses_its_buffers_rather_than_allocating_its_own_size_again()
    {
        using var server = new TestServer();
        using var exporter = new PrometheusExporter(server.Server);
        for (var warm = 0; warm < 3; warm++)
        {
            var (warmBuffer, _) = exporter.ScrapeUtf8();
            ArrayPool<byte>.Shared.Return(warmBuffer);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var (buffer, length) = exporter.ScrapeUtf8();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        ArrayPool<byte>.Shared.Return(buffer);

        // What remains is the meter's own per-observation objects and a few small /proc handles:
        // well under the text itself, which a fresh writer and string cost several times over.
        Assert.True(length > 8 * 1024, $"{length} B of metrics");
        Assert.True(allocated < length, $"{allocated} B allocated for {length} B of metrics");
    }
}
