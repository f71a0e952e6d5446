using Engine.Server.Rooms;
using Engine.Server.Sessions;

namespace Engine.Tests.Sessions;

/// <summary>The services' output in tests: everything sent and every move requested goes to an <see cref="OutputLog"/>.</summary>
internal readonly struct RecordingOutput(OutputLog log) : ISessionOutput
{
    public void SendReliable(Session session, ReadOnlySpan<byte> message, long nowUs) => log.Sent.Add(new SentMessage(session, Reliable: true, message.ToArray()));

    public void SendSnapshot(Session session, ReadOnlySpan<byte> message, long nowUs) => log.Sent.Add(new SentMessage(session, Reliable: false, message.ToArray()));

    public void RequestMove(Session session, int shard, in RoomJoin join) => log.Moves.Add(new RequestedMove(session, shard, join));
}
