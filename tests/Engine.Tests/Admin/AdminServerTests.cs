using System.Net;
using Engine.Host.Admin;
using Engine.Server.Diagnostics;
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
        using var admin = AdminServer.Start(IPAddress.Loopback, 0, server.Server, NullLoggerFactory.Instance);
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
    public void Every_tick_bucket_edge_is_an_edge_of_the_servers_histogram_so_no_count_is_split()
    {
        foreach (var edge in PrometheusExporter.TickBucketEdgesUs)
        {
            Assert.Contains(Enumerable.Range(0, TickStatistics.BucketCount), b => TickStatistics.BucketUpperBoundUs(b) == edge - 1);
        }
    }

    [Fact]
    public void Tick_durations_land_in_the_right_cumulative_buckets()
    {
        var ticks = new TickStatistics();
        foreach (var us in new[] { 3, 15, 16, 31, 1000, 16_383, 16_384, 500_000 })
        {
            ticks.Record(TimeSpan.FromMicroseconds(us));
        }
        Span<long> counts = stackalloc long[TickStatistics.BucketCount];
        ticks.AddCountsTo(counts);
        var cumulative = PrometheusExporter.CumulativeTickCounts(counts);
        var edges = PrometheusExporter.TickBucketEdgesUs;
        Assert.Equal(2, cumulative[Array.IndexOf(edges, 16)]);      // 3, 15 (< 16 us)
        Assert.Equal(4, cumulative[Array.IndexOf(edges, 32)]);      // + 16, 31
        Assert.Equal(5, cumulative[Array.IndexOf(edges, 1024)]);    // + 1000
        Assert.Equal(6, cumulative[Array.IndexOf(edges, 16384)]);   // + 16383
        Assert.Equal(7, cumulative[Array.IndexOf(edges, 32768)]);   // + 16384
        Assert.Equal(7, cumulative[edges.Length - 1]);
        Assert.Equal(8, cumulative[^1]);                            // +Inf: 500 ms
        Assert.Equal(3 + 15 + 16 + 31 + 1000 + 16_383 + 16_384 + 500_000, ticks.TotalUs);
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
}
