using Engine.Server.Rooms;
using Engine.Server.Sessions;

namespace Engine.Server.Shards;

/// <summary>The shard as the services' output: messages queue on the session's connection and the session is flushed this loop.</summary>
internal readonly struct ShardOutput(Shard shard) : ISessionOutput
{
    public void SendReliable(Session session, ReadOnlySpan<byte> message, long nowUs) => shard.SendReliable(session, message, nowUs);

    public void SendSnapshot(Session session, ReadOnlySpan<byte> message, long nowUs) => shard.SendSnapshot(session, message, nowUs);

    public void RequestMove(Session session, int target, in RoomJoin join) => shard.RequestMove(session, target, join);
}
