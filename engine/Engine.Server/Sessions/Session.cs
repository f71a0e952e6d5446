using Engine.Protocol.Sessions;
using Engine.Transport;

namespace Engine.Server.Sessions;

/// <summary>One player's session on the shard that owns it. Pooled: see <see cref="SessionPool"/>.</summary>
internal sealed class Session
{
    public Session(Connection connection)
    {
        Connection = connection;
    }

    public Connection Connection { get; }
    public PeerAddress Address { get; private set; }

    /// <summary>Already in the shard's list of sessions with output to flush this loop.</summary>
    public bool QueuedForFlush { get; set; }

    public void Open(ulong connectionId, in PeerAddress address, long nowUs)
    {
        Connection.Reset(connectionId, nowUs);
        Address = address;
        QueuedForFlush = false;
    }
}
