using Engine.Protocol.Wire;
using Engine.Server.Rooms;
using Engine.Server.Sessions;

namespace Engine.Server.Shards;

/// <summary>
/// The shard as the services' output: a message is queued on the session's connection and the
/// session on the outbox, to go out with this loop's flush; a move waits in the shard's list until
/// after the flush.
/// </summary>
internal readonly struct ShardOutput(Outbox outbox, ShardCounters counters, List<(Session Session, int Shard, RoomJoin Join)> moves) : ISessionOutput
{
    public void SendReliable(Session session, ReadOnlySpan<byte> message, long nowUs)
    {
        if (!session.Connection.QueueReliable(message))
        {
            counters.ReliableOverflows++;
        }
        outbox.Queue(session, nowUs);
    }

    public void SendSnapshot(Session session, ReadOnlySpan<byte> message, long nowUs)
    {
        if (!session.Connection.QueueUnreliable(MessageKind.Snapshot, message))
        {
            // The packet being built is full: send it now, then start the next with the snapshot.
            outbox.Flush(session, nowUs);
            session.Connection.QueueUnreliable(MessageKind.Snapshot, message);
        }
        outbox.Queue(session, nowUs);
    }

    public void RequestMove(Session session, int shard, in RoomJoin join) => moves.Add((session, shard, join));
}
