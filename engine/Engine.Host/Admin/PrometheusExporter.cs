using System.Globalization;
using Engine.Server;
using Engine.Server.Diagnostics;

namespace Engine.Host.Admin;

/// <summary>
/// Everything /metrics serves, built on each scrape from counters the shards already keep: the
/// "Engine" meter, the tick-duration histogram, snapshot sizes, rooms, and process and GC figures.
/// </summary>
internal sealed class PrometheusExporter(GameServer server) : IDisposable
{
    /// <summary>
    /// Bucket bounds of engine_tick_duration_seconds in microseconds: powers of two, each the exact
    /// upper edge of a bucket of <see cref="TickStatistics"/> (so no count is split or guessed);
    /// 16384 us sits just under a 60 Hz tick's 16.7 ms budget.
    /// </summary>
    internal static readonly long[] TickBucketEdgesUs = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072];

    private readonly EngineMeterReader _meter = new();
    private readonly Lock _lock = new();

    public string Scrape()
    {
        // Scrapes are rare (seconds apart); one at a time keeps the reader's state simple.
        lock (_lock)
        {
            var writer = new PrometheusTextWriter();
            _meter.WriteTo(writer);
            WriteRooms(writer);
            WriteTickHistogram(writer);
            WriteSnapshotSizes(writer);
            ProcessMetrics.Write(writer);
            return writer.ToString();
        }
    }

    private void WriteRooms(PrometheusTextWriter writer)
    {
        writer.Family("engine_rooms", "gauge", "Rooms open");
        writer.Sample("engine_rooms", "", server.RoomCount);
    }

    private void WriteTickHistogram(PrometheusTextWriter writer)
    {
        const string Name = "engine_tick_duration_seconds";
        writer.Family(Name, "histogram", "Duration of one simulation tick of a shard (all its rooms), from its log-linear histogram");
        Span<long> counts = stackalloc long[TickStatistics.BucketCount];
        var shards = server.TickStatistics;
        for (var shard = 0; shard < shards.Count; shard++)
        {
            counts.Clear();
            shards[shard].AddCountsTo(counts);
            var shardLabel = PrometheusTextWriter.Label("shard", shard.ToString(CultureInfo.InvariantCulture));
            var cumulative = CumulativeTickCounts(counts);
            for (var i = 0; i < TickBucketEdgesUs.Length; i++)
            {
                // Durations are recorded as whole microseconds, so "recorded <= edge - 1" means "duration < edge".
                var le = (TickBucketEdgesUs[i] / 1e6).ToString("0.######", CultureInfo.InvariantCulture);
                writer.Sample(Name + "_bucket", shardLabel + ",le=\"" + le + "\"", cumulative[i]);
            }
            var total = cumulative[^1];
            writer.Sample(Name + "_bucket", shardLabel + ",le=\"+Inf\"", total);
            writer.Sample(Name + "_sum", shardLabel, shards[shard].TotalUs / 1e6);
            writer.Sample(Name + "_count", shardLabel, total);
        }
    }

    /// <summary>Cumulative counts at each edge of <see cref="TickBucketEdgesUs"/>, then the total (the +Inf bucket).</summary>
    internal static long[] CumulativeTickCounts(ReadOnlySpan<long> counts)
    {
        var cumulative = new long[TickBucketEdgesUs.Length + 1];
        for (var bucket = 0; bucket < counts.Length; bucket++)
        {
            if (counts[bucket] == 0)
            {
                continue;
            }
            var upperUs = TickStatistics.BucketUpperBoundUs(bucket);
            for (var i = 0; i < TickBucketEdgesUs.Length; i++)
            {
                if (upperUs < TickBucketEdgesUs[i])
                {
                    cumulative[i] += counts[bucket];
                }
            }
            cumulative[^1] += counts[bucket];
        }
        return cumulative;
    }

    private void WriteSnapshotSizes(PrometheusTextWriter writer)
    {
        // The shards count snapshots and their bytes but keep no per-snapshot distribution, so this
        // is a summary without quantiles: rate(_sum) / rate(_count) is the mean size.
        const string Name = "engine_snapshot_size_bytes";
        writer.Family(Name, "summary", "Snapshot messages sent to players and spectators and their bytes (no quantiles: the server keeps no size distribution)");
        var counters = server.ShardCounters;
        for (var shard = 0; shard < counters.Count; shard++)
        {
            var shardLabel = PrometheusTextWriter.Label("shard", shard.ToString(CultureInfo.InvariantCulture));
            writer.Sample(Name + "_sum", shardLabel, Volatile.Read(ref counters[shard].SnapshotBytes));
            writer.Sample(Name + "_count", shardLabel, Volatile.Read(ref counters[shard].SnapshotsSent));
        }
    }

    public void Dispose() => _meter.Dispose();
}
