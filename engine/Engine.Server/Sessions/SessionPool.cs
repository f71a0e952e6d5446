using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Transport;
using Microsoft.Extensions.ObjectPool;

namespace Engine.Server.Sessions;

/// <summary>
/// Closed sessions go back to the server's pool and the next player reuses them, buffers and all,
/// so players joining and leaving all day allocate nothing once the pool has grown to the peak.
/// Shard threads rent and return concurrently (the pool is lock-free).
/// </summary>
internal sealed class SessionPool
{
    private readonly ObjectPool<Session> _pool;
    private long _created;

    public SessionPool(ConnectionOptions options, int retained)
    {
        _pool = new DefaultObjectPool<Session>(new Policy(this, options), retained);
    }

    /// <summary>Sessions allocated so far: it stops growing once the pool covers the peak.</summary>
    public long Created => Interlocked.Read(ref _created);

    public Session Rent(ulong connectionId, in PeerAddress address, uint playerId, long nowUs, PacketProtection? keys = null, ulong tokenPlayerId = 0)
    {
        var session = _pool.Get();
        session.Begin(connectionId, address, playerId, nowUs, keys, tokenPlayerId);
        return session;
    }

    public void Return(Session session) => _pool.Return(session);

    private sealed class Policy(SessionPool owner, ConnectionOptions options) : PooledObjectPolicy<Session>
    {
        public override Session Create()
        {
            Interlocked.Increment(ref owner._created);
            return new(new Connection(0, options, 0));
        }

        public override bool Return(Session obj) => true;
    }
}
