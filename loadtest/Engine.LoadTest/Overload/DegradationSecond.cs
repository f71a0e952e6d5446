using Engine.LoadTest.Metrics;

namespace Engine.LoadTest.Overload;

/// <summary>
/// One second of the server's overload policy, from two consecutive /metrics scrapes: its overload
/// level (the highest shard's), snapshots sent and deferred per second, snapshot encodes per tick by
/// kind, clients sent back to a shared keyframe and new handshakes shed per second. NaN where the
/// engine does not export the series (or the scrape failed), never a made-up 0.
/// </summary>
internal sealed record DegradationSecond(int Second, double Level, double SentPerSecond, double DeferredPerSecond,
    double SharedEncodesPerTick, double PlayerEncodesPerTick, double SpectatorEncodesPerTick, double ViewsResetPerSecond, double ShedPerSecond, double MeanSessions)
{
    /// <summary>The drop reason of a new handshake shed while the server is over its budget.</summary>
    public const string ShedReason = "overload_shed";

    /// <summary>The kinds of snapshot encode the engine counts.</summary>
    public static readonly string[] EncodeKinds = ["shared", "player", "spectator"];

    /// <summary>Open sessions over the interval: the mean of both scrapes where there are two (players join and leave within it).</summary>
    private static double Sessions(AdminSample? before, AdminSample? now) => (before, now) switch
    {
        ({ Sessions: >= 0 } b, { Sessions: >= 0 } n) => (b.Sessions + n.Sessions) / 2.0,
        (_, { Sessions: >= 0 } n) => n.Sessions,
        _ => double.NaN,
    };

    /// <summary>One row per server sample, each against the previous sample that had a scrape.</summary>
    public static List<DegradationSecond> Series(IReadOnlyList<ServerSample> server, int tickRate)
    {
        var rows = new List<DegradationSecond>(server.Count);
        ServerSample? previous = null;
        foreach (var s in server)
        {
            rows.Add(Between(previous, s, tickRate));
            if (s.Admin is not null)
            {
                previous = s;
            }
        }
        return rows;
    }

    /// <summary>What happened between two samples, per second (or per tick); the level is the later sample's.</summary>
    public static DegradationSecond Between(ServerSample? earlier, ServerSample later, int tickRate)
    {
        var now = later.Admin;
        var before = earlier?.Admin;
        var seconds = earlier is null ? double.NaN : Math.Max(1, later.Second - earlier.Second);
        double Rate(long? a, long? b) => a is long x && b is long y ? (x - y) / seconds : double.NaN;
        double Encodes(string kind) => now is null || before is null || now.Encodes.Count == 0 || before.Encodes.Count == 0 ? double.NaN
            : Rate(now.Encodes.GetValueOrDefault(kind), before.Encodes.GetValueOrDefault(kind)) / tickRate;
        double Shed() => now is { ExportsOverload: true } && before is { ExportsOverload: true }
            ? Rate(now.Drops.GetValueOrDefault(ShedReason), before.Drops.GetValueOrDefault(ShedReason)) : double.NaN;
        return new DegradationSecond(later.Second, now?.OverloadLevel ?? double.NaN, Rate(now?.SnapshotsSent, before?.SnapshotsSent),
            Rate(now?.SnapshotsDeferred, before?.SnapshotsDeferred), Encodes("shared"), Encodes("player"), Encodes("spectator"),
            Rate(now?.ViewsReset, before?.ViewsReset), Shed(), Sessions(before, now));
    }
}
