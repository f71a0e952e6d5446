using Engine.LoadTest.Attack;
using Engine.LoadTest.Metrics;

namespace Engine.LoadTest;

/// <summary>
/// One measured window of a run (steady has one; hostile a clean and an attack window with the same
/// players): what the legit players saw over it. Datagram and byte counts exclude the attack's
/// replays from the players' own sockets.
/// </summary>
internal sealed class WindowResult
{
    public required string Name { get; init; }
    public int StartSecond { get; init; }
    public int EndSecond { get; init; }
    public double Seconds => Math.Max(1, EndSecond - StartSecond);
    public SwarmCounters Counters { get; init; }
    public long BytesUp { get; init; }
    public long BytesDown { get; init; }
    public long DatagramsUp { get; init; }
    public long DatagramsDown { get; init; }
    public long Corrections { get; init; }
    public long Mispredictions { get; init; }
    public Percentiles Ack { get; init; }
    public Percentiles Rtt { get; init; }
    public Percentiles Jitter { get; init; }
    public Percentiles Interarrival { get; init; }
    public Percentiles Chat { get; init; }
    public Percentiles SlotLag { get; init; }
    public Percentiles Handshake { get; init; }
    public int MinInRooms { get; init; }
    public int InRoomsEnd { get; init; }
    public int ConnectedEnd { get; init; }
    public int SpectatingEnd { get; init; }

    /// <summary>The server's /metrics scraped by the swarm thread right at the window's edges (null without an admin endpoint).</summary>
    public AdminSample? AdminStart { get; init; }
    public AdminSample? AdminEnd { get; init; }

    /// <summary>Hostile: what the attack sent during the window (zero in the clean one).</summary>
    public AttackTotals? Attack { get; init; }

    /// <summary>Legit datagrams per second the players sent (what the attack factor multiplies).</summary>
    public double LegitPacketsPerSecond => DatagramsUp / Seconds;

    public double LossPct => Counters.SnapshotsApplied + Counters.SnapshotsMissed == 0 ? double.NaN
        : Counters.SnapshotsMissed * 100.0 / (Counters.SnapshotsApplied + Counters.SnapshotsMissed);

    public double HandshakeSuccessPct => Counters.HandshakesStarted == 0 ? double.NaN
        : Counters.HandshakesCompleted * 100.0 / Counters.HandshakesStarted;
}
