using Engine.Server.Rooms;

namespace Engine.Server.Sessions;

/// <summary>
/// What the sans-IO services (rooms, snapshots) ask of the shard: send a session a reliable or an
/// unreliable message, or move it to the shard that owns its room. Implemented by a struct and
/// taken as a constrained generic, so every call is static and inlinable.
/// </summary>
internal interface ISessionOutput
{
    void SendReliable(Session session, ReadOnlySpan<byte> message, long nowUs);

    void SendSnapshot(Session session, ReadOnlySpan<byte> message, long nowUs);

    /// <summary>Moves the session to <paramref name="shard"/>, which seats it; done after this loop's flush.</summary>
    void RequestMove(Session session, int shard, in RoomJoin join);
}
