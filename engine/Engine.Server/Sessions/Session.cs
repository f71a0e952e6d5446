using Engine.Protocol.Sessions;
using Engine.Transport;

namespace Engine.Server.Sessions;

/// <summary>One player's session on the shard that owns it.</summary>
internal sealed class Session
{
    public Session(Connection connection, in PeerAddress address)
    {
        Connection = connection;
        Address = address;
    }

    public Connection Connection { get; }
    public PeerAddress Address { get; }

    /// <summary>Already in the shard's list of sessions with output to flush this loop.</summary>
    public bool QueuedForFlush { get; set; }
}
