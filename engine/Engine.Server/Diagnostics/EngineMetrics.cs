using System.Diagnostics.Metrics;
using Engine.Protocol;
using Engine.Server.Shards;

namespace Engine.Server.Diagnostics;

/// <summary>
/// The "Engine" meter. Instruments are observable: shards count with plain increments and the
/// values are read only when a listener (dotnet-counters, the Prometheus endpoint) collects.
/// </summary>
internal sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "Engine";

    private readonly Meter _meter;
    private readonly IReadOnlyList<Shard> _shards;

    public Meter Meter => _meter;

    public EngineMetrics(IReadOnlyList<Shard> shards)
    {
        _shards = shards;
        _meter = new Meter(MeterName, "1.0");
        _meter.CreateObservableCounter("engine.packets.received", () => PerShard(s => s.Counters.DatagramsIn), "{packet}", "Datagrams received");
        _meter.CreateObservableCounter("engine.packets.sent", () => PerShard(s => s.Counters.DatagramsOut), "{packet}", "Datagrams sent");
        _meter.CreateObservableCounter("engine.bytes.received", () => PerShard(s => s.Counters.BytesIn), "By", "UDP payload bytes received");
        _meter.CreateObservableCounter("engine.bytes.sent", () => PerShard(s => s.Counters.BytesOut), "By", "UDP payload bytes sent");
        _meter.CreateObservableCounter("engine.packets.dropped", Drops, "{packet}", "Datagrams dropped, by reason");
        _meter.CreateObservableUpDownCounter("engine.sessions", () => PerShard(s => (long)s.SessionCount), "{session}", "Open sessions");
        _meter.CreateObservableGauge("engine.rooms", () => PerShard(s => (long)s.RoomCount), "{room}", "Open rooms");
        _meter.CreateObservableCounter("engine.handshakes", Handshakes, "{packet}", "Handshake packets, by stage");
        _meter.CreateObservableCounter("engine.sessions.timed_out", () => PerShard(s => s.Counters.SessionsTimedOut), "{session}", "Sessions closed by timeout");
        _meter.CreateObservableCounter("engine.shard.allocated", () => PerShard(s => Volatile.Read(ref s.Counters.AllocatedBytes)), "By", "Bytes allocated by each shard thread (flat in steady state)");
        _meter.CreateObservableCounter("engine.kernel.drops", () => PerShard(s => s.Socket.Counters.KernelDrops), "{packet}", "Datagrams the kernel dropped on a full receive queue");
        RecentQuantiles(s => s.TickDurationUs, 1e6, "engine.tick.duration.quantile", "s", "Tick duration quantiles over the last 10-20 s, all shards");
        RecentQuantiles(s => s.RttUs, 1e6, "engine.rtt.quantile", "s", "Session smoothed RTT quantiles over the last 10-20 s, sampled per answered ping");
        RecentQuantiles(s => s.SnapshotBytes, 1, "engine.snapshot.size.quantile", "By", "Snapshot message size quantiles over the last 10-20 s");
    }

    private void RecentQuantiles(Func<ShardHistograms, LogLinearHistogram> select, double unitsPerBase, string name, string unit, string description)
    {
        var quantiles = new RecentQuantiles(_shards.Select(s => select(s.Histograms)).ToArray(), unitsPerBase);
        _meter.CreateObservableGauge(name, quantiles.Observe, unit, description);
    }

    private IEnumerable<Measurement<long>> PerShard(Func<Shard, long> read)
    {
        foreach (var shard in _shards)
        {
            yield return new Measurement<long>(read(shard), new KeyValuePair<string, object?>("shard", shard.Index));
        }
    }

    private IEnumerable<Measurement<long>> Drops()
    {
        for (var reason = DropReason.None + 1; (int)reason < DropReasons.Count; reason++)
        {
            long total = 0;
            foreach (var shard in _shards)
            {
                total += shard.Counters.Drops(reason);
            }
            if (total > 0)
            {
                yield return new Measurement<long>(total, new KeyValuePair<string, object?>("reason", DropReasons.Name(reason)));
            }
        }
    }

    private IEnumerable<Measurement<long>> Handshakes()
    {
        long hellos = 0, challenges = 0, welcomes = 0, rejects = 0;
        foreach (var shard in _shards)
        {
            hellos += Volatile.Read(ref shard.Counters.HellosReceived);
            challenges += Volatile.Read(ref shard.Counters.ChallengesSent);
            welcomes += Volatile.Read(ref shard.Counters.WelcomesSent);
            rejects += Volatile.Read(ref shard.Counters.RejectsSent);
        }
        yield return new Measurement<long>(hellos, new KeyValuePair<string, object?>("stage", "hello"));
        yield return new Measurement<long>(challenges, new KeyValuePair<string, object?>("stage", "challenge"));
        yield return new Measurement<long>(welcomes, new KeyValuePair<string, object?>("stage", "welcome"));
        yield return new Measurement<long>(rejects, new KeyValuePair<string, object?>("stage", "reject"));
    }

    public void Dispose() => _meter.Dispose();
}
