using Engine.Protocol.Security;

namespace Engine.LoadTest.Fleet;

/// <summary>
/// What the backend answered one player: a connect token for a node and what to do there (join
/// <see cref="Room"/>, or quick match rooms of <see cref="Capacity"/>), or the HTTP status of a refusal.
/// Built on a matchmaking task, read by the swarm thread once handed over.
/// </summary>
internal sealed class FleetTicket
{
    /// <summary>200 for a ticket; otherwise the refusal's status, 0 when no answer came (connection refused, time-out).</summary>
    public int Status { get; init; }
    public int Node { get; init; }
    public ConnectToken? Token { get; init; }
    public bool Join { get; init; }
    public uint Room { get; init; }
    public int Capacity { get; init; }

    /// <summary>When the token expires, on the swarm's monotonic clock (µs).</summary>
    public long ExpiresAtUs { get; init; }

    public bool Placed => Status == 200 && Token is not null;
}
