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
    private readonly PrometheusTextWriter _writer = new();
    private IReadOnlyList<ShardHistograms> _shards = [];

    /// <summary>The exposition as UTF-8 in a rented buffer (return it to <see cref="System.Buffers.ArrayPool{T}.Shared"/>).</summary>
    public (byte[] Buffer, int Length) ScrapeUtf8()
    {
        lock (_lock)
        {
            return Write().RentUtf8();
        }
    }

    // Scrapes are rare (seconds apart); one at a time keeps the reader's state and the reused writer simple.
    private PrometheusTextWriter Write()
    {
        _writer.Clear();
        _meter.WriteTo(_writer);
        WriteHistograms(_writer);
        ProcessMetrics.Write(_writer);
        return _writer;
    }

    private void WriteHistograms(PrometheusTextWriter writer)
    {
        if (_shards.Count == 0)
        {
            _shards = server.Histograms; // empty until the server has started
        }
        TickDuration.Write(writer, _shards, s => s.TickDurationUs);
        TickCpu.Write(writer, _shards, s => s.TickCpuUs);
        Rtt.Write(writer, _shards, s => s.RttUs);
        SnapshotSize.Write(writer, _shards, s => s.SnapshotBytes);
    }

    public void Dispose() => _meter.Dispose();
}
