using System.Globalization;
using Engine.Server;
using Engine.Server.Diagnostics;

namespace Engine.Host.Admin;

/// <summary>
/// Everything /metrics serves, built on each scrape from counters the shards already keep: the
/// "Engine" meter (sessions and rooms among it), the tick, RTT and snapshot-size histograms, and process and GC figures.
/// </summary>
internal sealed class PrometheusExporter(GameServer server) : IDisposable
{
    /// <summary>
    /// Powers of two from 16 us to 131 ms: 16384 us sits just under a 60 Hz tick's 16.7 ms budget.
    /// </summary>
    internal static readonly HistogramFamily TickDuration = new("engine_tick_duration_seconds",
        "Duration of one simulation tick of a shard (all its rooms)",
        [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072], unitsPerBase: 1e6);

    /// <summary>The same bounds as the tick's wall time, so the two read side by side.</summary>
    internal static readonly HistogramFamily TickCpu = new("engine_tick_cpu_seconds",
        "CPU time the shard thread spent in one simulation tick (the wall time minus time spent waiting for a core)",
        [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072], unitsPerBase: 1e6);

    /// <summary>Powers of two from 64 us (loopback) to about 1 s (beyond any playable RTT; the timeout ends sessions later).</summary>
    internal static readonly HistogramFamily Rtt = new("engine_rtt_seconds",
        "Smoothed round-trip time of a session, sampled each time it answers one of the server's pings",
        [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576], unitsPerBase: 1e6);

    /// <summary>From a still room's few bytes up to the largest datagram, in 128 B steps where busy rooms' snapshots live.</summary>
    internal static readonly HistogramFamily SnapshotSize = new("engine_snapshot_size_bytes",
        "Size of each snapshot message sent to a player or spectator",
        [8, 16, 32, 64, 128, 256, 384, 512, 640, 768, 896, 1024, 1152, 1280, 1536], unitsPerBase: 1);

    private readonly EngineMeterReader _meter = new();
    private readonly Lock _lock = new();

    public string Scrape()
    {
        // Scrapes are rare (seconds apart); one at a time keeps the reader's state simple.
        lock (_lock)
        {
            var writer = new PrometheusTextWriter();
            _meter.WriteTo(writer);
            WriteHistograms(writer);
            ProcessMetrics.Write(writer);
            return writer.ToString();
        }
    }

    private void WriteHistograms(PrometheusTextWriter writer)
    {
        var shards = server.Histograms;
        TickDuration.Write(writer, shards.Select(s => s.TickDurationUs).ToArray());
        TickCpu.Write(writer, shards.Select(s => s.TickCpuUs).ToArray());
        Rtt.Write(writer, shards.Select(s => s.RttUs).ToArray());
        SnapshotSize.Write(writer, shards.Select(s => s.SnapshotBytes).ToArray());
    }

    public void Dispose() => _meter.Dispose();
}
