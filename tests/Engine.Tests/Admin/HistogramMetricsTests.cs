using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Engine.Host.Admin;
using Engine.Server.Diagnostics;
using Engine.Tests.Lifecycle;
using Engine.Tests.Server;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Engine.Tests.Admin;

/// <summary>Tick-duration, RTT and snapshot-size histograms recorded by a real server over loopback, read through /metrics and the meter.</summary>
public class HistogramMetricsTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public void Ticks_rtts_and_snapshot_sizes_appear_in_metrics_as_well_formed_histograms_with_the_right_counts()
    {
        using var server = new TestServer();
        using var lifecycle = TestLifecycle.For(server.Server);
        using var admin = AdminServer.Start(IPAddress.Loopback, 0, server.Server, lifecycle, NullLoggerFactory.Instance);
        var clients = server.ConnectClients(4, s_timeout);
        var matches = clients.Select(c => c.QuickMatch()).ToList();
        Assert.True(TestServer.PumpUntil(clients, () => matches.All(m => m.IsCompleted), s_timeout));
        var started = Stopwatch.StartNew();
        var histograms = server.Server.Histograms;
        Assert.True(TestServer.PumpUntil(clients,
            () => histograms.Sum(h => h.RttUs.Count) >= 2 * clients.Count && histograms.Sum(h => h.SnapshotBytes.Count) >= 40, s_timeout),
            "no RTT samples or snapshots recorded");

        // Stop the shards so nothing moves between the scrape and the server's own counters.
        Assert.True(server.Server.Stop(TimeSpan.FromSeconds(2)));
        var elapsed = started.Elapsed;
        TestServer.PumpUntil(clients, () => false, TimeSpan.FromMilliseconds(200)); // clients read what is still queued
        var metrics = PrometheusText.Parse(AdminHttp.Get(admin.Address + "/metrics").Body);

        var shards = server.Server.ShardCount;
        AssertWellFormed(metrics, "engine_tick_duration_seconds", PrometheusExporter.TickDuration, shards);
        AssertWellFormed(metrics, "engine_tick_cpu_seconds", PrometheusExporter.TickCpu, shards);
        AssertWellFormed(metrics, "engine_rtt_seconds", PrometheusExporter.Rtt, shards);
        AssertWellFormed(metrics, "engine_snapshot_size_bytes", PrometheusExporter.SnapshotSize, shards);

        // Snapshots: one per snapshot message sent, the bytes exactly the shards' byte counters, and every one arrived.
        var counters = server.Server.ShardCounters;
        var snapshots = metrics.Sum("engine_snapshot_size_bytes_count");
        Assert.Equal(counters.Sum(c => c.SnapshotsSent), snapshots);
        Assert.Equal(counters.Sum(c => c.SnapshotBytes), metrics.Sum("engine_snapshot_size_bytes_sum"));
        Assert.Equal(clients.Sum(c => c.SnapshotsReceived), snapshots);
        Assert.True(metrics.Sum("engine_snapshot_size_bytes_bucket", "le=\"16\"") < snapshots, "the first, full snapshots of four players are more than 16 bytes");

        // RTT: each client answers the server's 100 ms pings; loopback round trips are far below a second.
        var rtts = metrics.Sum("engine_rtt_seconds_count");
        Assert.InRange(rtts, 2 * clients.Count, clients.Count * ((elapsed.TotalMilliseconds / 100) + 20));
        var meanRtt = metrics.Sum("engine_rtt_seconds_sum") / rtts;
        Assert.InRange(meanRtt, 1e-6, 0.5);
        Assert.Equal(rtts, metrics.Sum("engine_rtt_seconds_bucket", "le=\"1.048576\""));

        // Ticks: 60 Hz while the room was open.
        var ticks = metrics.Sum("engine_tick_duration_seconds_count");
        Assert.True(ticks >= 60 * elapsed.TotalSeconds * 0.5);

        // A tick's CPU time is part of its wall time (each rounded down to the microsecond); a tick may end between the two reads.
        Assert.InRange(metrics.Sum("engine_tick_cpu_seconds_count"), ticks, ticks + shards);
        Assert.True(metrics.Sum("engine_tick_cpu_seconds_sum") <= metrics.Sum("engine_tick_duration_seconds_sum") + (ticks * 2e-6) + 0.001,
            "CPU time of the ticks exceeds their wall time");

        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public void The_meter_reports_recent_quantiles_of_each_histogram()
    {
        using var server = new TestServer();
        var clients = server.ConnectClients(3, s_timeout);
        var matches = clients.Select(c => c.QuickMatch()).ToList();
        Assert.True(TestServer.PumpUntil(clients, () => matches.All(m => m.IsCompleted), s_timeout));
        var histograms = server.Server.Histograms;
        Assert.True(TestServer.PumpUntil(clients,
            () => histograms.Sum(h => h.RttUs.Count) >= clients.Count && histograms.Sum(h => h.SnapshotBytes.Count) >= 20, s_timeout));

        var values = new Dictionary<(string Instrument, string Quantile), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, server.Server.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "quantile")
                {
                    values[(instrument.Name, (string)tag.Value!)] = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        foreach (var name in new[] { "engine.tick.duration.quantile", "engine.rtt.quantile", "engine.snapshot.size.quantile" })
        {
            var quantiles = RecentQuantiles.Quantiles.Select(q => values[(name, q.ToString(CultureInfo.InvariantCulture))]).ToList();
            Assert.True(quantiles[0] > 0, $"{name} p50 is {quantiles[0]}");
            for (var i = 1; i < quantiles.Count; i++)
            {
                Assert.True(quantiles[i] >= quantiles[i - 1], $"{name}: {string.Join(", ", quantiles)}");
            }
        }
        Assert.InRange(values[("engine.rtt.quantile", "0.5")], 1e-6, 0.5);
        Assert.InRange(values[("engine.tick.duration.quantile", "0.99")], 1e-6, 1);
        Assert.InRange(values[("engine.snapshot.size.quantile", "0.5")], 5, 1536); // the input prefix and a header at least
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public void Recent_quantiles_cover_the_last_window_not_the_whole_run()
    {
        var histogram = new LogLinearHistogram();
        long clock = 0;
        var quantiles = new RecentQuantiles([histogram], unitsPerBase: 1, windowMs: 10_000, clockMs: () => clock);
        Assert.Empty(quantiles.Observe());

        for (var i = 0; i < 1000; i++)
        {
            histogram.Record(100);
        }
        Assert.Equal(100 + 3, Median(quantiles)); // 100 lives in the bucket 96..103

        clock = 10_000; // the first window closes: what was recorded so far becomes the newer reading
        Assert.Equal(100 + 3, Median(quantiles));
        for (var i = 0; i < 1000; i++)
        {
            histogram.Record(1000);
        }
        Assert.Equal(1023, quantiles.Observe().Max(m => m.Value)); // the window still reaches back to the start
        Assert.Equal(100 + 3, Median(quantiles));
        clock = 20_000; // the second closes: only what came after 10 s counts
        Assert.Equal(1023, Median(quantiles));
        clock = 30_000; // nothing recorded for a whole window
        Assert.Empty(quantiles.Observe());
        // Observing more often changes nothing.
        histogram.Record(5);
        for (var i = 0; i < 5; i++)
        {
            clock += 1000;
            Assert.Equal(5, Median(quantiles));
        }

        static double Median(RecentQuantiles quantiles) =>
            quantiles.Observe().Single(m => (string)m.Tags[0].Value! == "0.5").Value;
    }

    [Fact]
    public void Shards_record_into_the_histograms_without_allocating()
    {
        using var server = new TestServer();
        var clients = server.ConnectClients(4, s_timeout);
        var matches = clients.Select(c => c.QuickMatch()).ToList();
        Assert.True(TestServer.PumpUntil(clients, () => matches.All(m => m.IsCompleted), s_timeout));
        TestServer.PumpUntil(clients, () => false, TimeSpan.FromSeconds(1)); // warm-up: room, views, first timers

        var counters = server.Server.ShardCounters;
        var histograms = server.Server.Histograms;
        var before = counters.Select(c => Volatile.Read(ref c.AllocatedBytes)).ToArray();
        var rtts = histograms.Sum(h => h.RttUs.Count);
        var snapshots = histograms.Sum(h => h.SnapshotBytes.Count);
        var ticks = histograms.Sum(h => h.TickDurationUs.Count);
        TestServer.PumpUntil(clients, () => false, TimeSpan.FromSeconds(1));
        var after = counters.Select(c => Volatile.Read(ref c.AllocatedBytes)).ToArray();

        Assert.True(histograms.Sum(h => h.RttUs.Count) >= rtts + clients.Count, "no RTT samples while measuring");
        Assert.True(histograms.Sum(h => h.SnapshotBytes.Count) >= snapshots + (10 * clients.Count), "no snapshots while measuring");
        Assert.True(histograms.Sum(h => h.TickDurationUs.Count) >= ticks + 30, "no ticks while measuring");
        Assert.All(before, b => Assert.True(b > 0, "the shard threads sample their allocations"));
        Assert.Equal(before, after);
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    private static void AssertWellFormed(PrometheusText metrics, string name, HistogramFamily family, int shards)
    {
        Assert.Equal("histogram", metrics.TypeOf(name));
        for (var shard = 0; shard < shards; shard++)
        {
            var shardLabel = $"shard=\"{shard}\"";
            var buckets = metrics.Series(name + "_bucket").Where(s => s.Labels.StartsWith(shardLabel + ",", StringComparison.Ordinal)).ToList();
            Assert.Equal(family.Edges.Length + 1, buckets.Count);
            var bounds = buckets.Select(b => b.Labels[(b.Labels.IndexOf("le=\"", StringComparison.Ordinal) + 4)..^1]).ToList();
            Assert.Equal("+Inf", bounds[^1]);
            for (var i = 0; i < family.Edges.Length; i++)
            {
                Assert.Equal(family.Edges[i] / family.UnitsPerBase, double.Parse(bounds[i], CultureInfo.InvariantCulture), 12);
                Assert.True(buckets[i + 1].Value >= buckets[i].Value, $"{name}: bucket {bounds[i + 1]} < bucket {bounds[i]}");
            }
            Assert.Equal(metrics.Sum(name + "_count", shardLabel), buckets[^1].Value);
            Assert.True(metrics.Has(name + "_sum"));
        }
    }
}
