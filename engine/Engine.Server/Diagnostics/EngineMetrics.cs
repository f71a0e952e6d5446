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

    // Tag arrays made once: a measurement keeps the array it is given, so a scrape allocates no tags.
    private readonly KeyValuePair<string, object?>[][] _shardTags;
    private static readonly KeyValuePair<string, object?>[][] s_encodeTags =
        [[new("kind", "shared")], [new("kind", "player")], [new("kind", "spectator")]];
    private static readonly KeyValuePair<string, object?>[][] s_stageTags =
        [[new("stage", "hello")], [new("stage", "challenge")], [new("stage", "welcome")], [new("stage", "reject")]];
    private static readonly KeyValuePair<string, object?>[][] s_ticketTags =
        [[new("result", "redeemed")], [new("result", "refused")]];
    private static readonly KeyValuePair<string, object?>[][] s_reasonTags =
        [.. Enumerable.Range(0, DropReasons.Count).Select(r => new[] { new KeyValuePair<string, object?>("reason", DropReasons.Name((DropReason)r)) })];

    /// <param name="isDraining">Whether the server takes no new players (<see cref="GameServer.IsDraining"/>).</param>
    public EngineMetrics(IReadOnlyList<Shard> shards, Func<bool> isDraining)
    {
        _shards = shards;
        _shardTags = shards.Select(s => new[] { new KeyValuePair<string, object?>("shard", s.Index) }).ToArray();
        _meter = new Meter(MeterName, "1.0");
        _meter.CreateObservableCounter("engine.packets.received", () => PerShard(s => s.Counters.DatagramsIn), "{packet}", "Datagrams received");
        _meter.CreateObservableCounter("engine.packets.sent", () => PerShard(s => s.Counters.DatagramsOut), "{packet}", "Datagrams sent");
        _meter.CreateObservableCounter("engine.bytes.received", () => PerShard(s => s.Counters.BytesIn), "By", "UDP payload bytes received");
        _meter.CreateObservableCounter("engine.bytes.sent", () => PerShard(s => s.Counters.BytesOut), "By", "UDP payload bytes sent");
        _meter.CreateObservableCounter("engine.packets.dropped", Drops, "{packet}", "Datagrams dropped, by reason");
        _meter.CreateObservableUpDownCounter("engine.sessions", () => PerShard(s => (long)s.SessionCount), "{session}", "Open sessions");
        _meter.CreateObservableGauge("engine.rooms", () => PerShard(s => (long)s.RoomCount), "{room}", "Open rooms");
        _meter.CreateObservableCounter("engine.handshakes", Handshakes, "{packet}", "Handshake packets, by stage");
        _meter.CreateObservableCounter("engine.disconnect.repeats", () => PerShard(s => Volatile.Read(ref s.Counters.DisconnectRepeats)), "{packet}",
            "Copies of a client's Disconnect that arrived after its session closed (it is sent three times); not drops");
        _meter.CreateObservableCounter("engine.sessions.timed_out", () => PerShard(s => s.Counters.SessionsTimedOut), "{session}", "Sessions closed by timeout");
        _meter.CreateObservableCounter("engine.shard.allocated", () => PerShard(s => Volatile.Read(ref s.Counters.AllocatedBytes)), "By", "Bytes allocated by each shard thread (flat in steady state)");
        _meter.CreateObservableCounter("engine.kernel.drops", () => PerShard(s => s.Socket.Counters.KernelDrops), "{packet}", "Datagrams the kernel dropped on a full receive queue");
        _meter.CreateObservableGauge("engine.overload.level", () => PerShard(s => (long)Volatile.Read(ref s.Counters.OverloadLevel)), "{level}",
            "Each shard's overload level: 0 normal, 1 over its tick budget, 2 far over (docs/OVERLOAD.md)");
        _meter.CreateObservableCounter("engine.snapshots.sent", () => PerShard(s => Volatile.Read(ref s.Counters.SnapshotsSent)), "{snapshot}", "Snapshots sent to clients");
        _meter.CreateObservableCounter("engine.snapshots.deferred", () => PerShard(s => Volatile.Read(ref s.Counters.SnapshotsDeferred)), "{snapshot}",
            "Snapshots the overload policy skipped for a client (it gets a later one)");
        _meter.CreateObservableCounter("engine.snapshot.encodes", Encodes, "{encode}", "Snapshot encodings, by kind: shared by clients with the same view, for one player alone, for one spectator alone");
        _meter.CreateObservableCounter("engine.snapshot.views_reset", () => Sum(s => Volatile.Read(ref s.Counters.ViewsReset)), "{view}",
            "Clients the overload policy sent back to the room's shared keyframe");
        _meter.CreateObservableCounter("engine.fleet.redirects", () => PerShard(s => Volatile.Read(ref s.Counters.FleetRedirects)), "{player}",
            "Players sent to a room on another node of the fleet (a Redirect with a connect token and a resume ticket)");
        _meter.CreateObservableCounter("engine.fleet.tickets", Tickets, "{ticket}",
            "Resume tickets from other nodes presented here, by result: redeemed, or refused (forged, expired, another player's or node's, used before)");
        _meter.CreateObservableGauge("engine.draining", () => isDraining() ? 1 : 0, "{state}",
            "1 while the node drains (no new players; open rooms play on until they empty or the drain deadline), 0 otherwise");
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
        for (var i = 0; i < _shards.Count; i++)
        {
            yield return new Measurement<long>(read(_shards[i]), _shardTags[i]);
        }
    }

    private long Sum(Func<Shard, long> read)
    {
        long total = 0;
        foreach (var shard in _shards)
        {
            total += read(shard);
        }
        return total;
    }

    private IEnumerable<Measurement<long>> Encodes()
    {
        yield return new Measurement<long>(Sum(s => Volatile.Read(ref s.Counters.SharedEncodings)), s_encodeTags[0]);
        yield return new Measurement<long>(Sum(s => Volatile.Read(ref s.Counters.PlayerEncodings)), s_encodeTags[1]);
        yield return new Measurement<long>(Sum(s => Volatile.Read(ref s.Counters.SpectatorEncodings)), s_encodeTags[2]);
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
                yield return new Measurement<long>(total, s_reasonTags[(int)reason]);
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
        yield return new Measurement<long>(hellos, s_stageTags[0]);
        yield return new Measurement<long>(challenges, s_stageTags[1]);
        yield return new Measurement<long>(welcomes, s_stageTags[2]);
        yield return new Measurement<long>(rejects, s_stageTags[3]);
    }

    private IEnumerable<Measurement<long>> Tickets()
    {
        long redeemed = 0, refused = 0;
        foreach (var shard in _shards)
        {
            redeemed += Volatile.Read(ref shard.Counters.TicketsRedeemed);
            refused += Volatile.Read(ref shard.Counters.TicketsRefused);
        }
        yield return new Measurement<long>(redeemed, s_ticketTags[0]);
        yield return new Measurement<long>(refused, s_ticketTags[1]);
    }

    public void Dispose() => _meter.Dispose();
}
