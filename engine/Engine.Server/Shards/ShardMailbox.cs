using Engine.Server.Concurrency;
using Engine.Server.Handshake;

namespace Engine.Server.Shards;

/// <summary>
/// What other shards hand one shard: sessions it is to admit, sessions moving to it, and datagrams
/// forwarded for sessions that moved to it; and how loaded it is, counting what is on its way. Other
/// shards write only through <see cref="ShardDirectory"/>; the owning shard drains the queues once
/// per loop.
/// </summary>
internal sealed class ShardMailbox(int index)
{
    private int _sessions;
    private int _reserved;

    public int Index { get; } = index;
    public BoundedQueue<Admission> Admissions { get; } = new(4096);
    public BoundedQueue<SessionMove> Moves { get; } = new(1024);
    public BoundedQueue<ForwardedDatagram> Forwarded { get; } = new(512);

    /// <summary>Sessions plus arrivals on their way here: what placement balances.</summary>
    public int Load => Volatile.Read(ref _sessions) + Volatile.Read(ref _reserved);
    public int Sessions => Volatile.Read(ref _sessions);

    public void Reserve() => Interlocked.Increment(ref _reserved);

    /// <summary>A reserved arrival did not come (its queue was full) or has come and is counted as a session now.</summary>
    public void ReleaseReservation() => Interlocked.Decrement(ref _reserved);

    public void SessionAdded() => Interlocked.Increment(ref _sessions);

    public void SessionRemoved() => Interlocked.Decrement(ref _sessions);

    public void ClearSessions() => Volatile.Write(ref _sessions, 0);
}
