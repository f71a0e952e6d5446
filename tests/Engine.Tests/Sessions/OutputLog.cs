using Engine.Server.Sessions;

namespace Engine.Tests.Sessions;

/// <summary>What the services sent through a <see cref="RecordingOutput"/>, in order.</summary>
internal sealed class OutputLog
{
    public List<SentMessage> Sent { get; } = new();
    public List<RequestedMove> Moves { get; } = new();

    /// <summary>The reliable messages <paramref name="session"/> was sent from position <paramref name="from"/> on, decoded.</summary>
    public List<RoomReply> Reliable(Session session, int from = 0) =>
        Sent.Skip(from).Where(m => m.Session == session && m.Reliable).Select(m => RoomReply.Parse(m.Bytes)).ToList();

    /// <summary>The snapshot messages <paramref name="session"/> was sent from position <paramref name="from"/> on.</summary>
    public List<byte[]> Snapshots(Session session, int from = 0) =>
        Sent.Skip(from).Where(m => m.Session == session && !m.Reliable).Select(m => m.Bytes).ToList();
}
