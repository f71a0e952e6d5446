using Engine.Transport;

namespace Engine.Server.Sessions;

/// <summary>
/// The sessions a client closed with a Disconnect in the last second. A Disconnect is not
/// acknowledged, so it is sent three times; the copies after the first find no session, and are
/// counted as repeats rather than as <c>unknown_session</c> drops, which then keep meaning packets
/// nobody expects. A fixed ring, owned by the shard thread: nothing allocates, and a shard that
/// closes more than <see cref="Capacity"/> sessions in a second counts the oldest ones' copies as drops.
/// </summary>
internal sealed class ClosedSessions
{
    public const int Capacity = 256;
    public const long RememberUs = 1_000_000;

    private readonly ulong[] _ids = new ulong[Capacity];
    private readonly PeerAddress[] _addresses = new PeerAddress[Capacity];
    private readonly long[] _closedUs = new long[Capacity];
    private int _next;
    private long _newestUs = Never;

    // Far enough in the past that nothing compares as recent, near enough that subtracting it never overflows.
    private const long Never = long.MinValue / 2;

    public ClosedSessions() => Array.Fill(_closedUs, Never);

    public void Add(ulong connectionId, in PeerAddress address, long nowUs)
    {
        _ids[_next] = connectionId;
        _addresses[_next] = address;
        _closedUs[_next] = nowUs;
        _next = (_next + 1) % Capacity;
        _newestUs = nowUs;
    }

    /// <summary>True when <paramref name="connectionId"/> was closed by its client at <paramref name="address"/> within <see cref="RememberUs"/>.</summary>
    public bool Contains(ulong connectionId, in PeerAddress address, long nowUs)
    {
        if (nowUs - _newestUs > RememberUs)
        {
            return false; // nothing closed lately: the common case for a stray packet costs one compare
        }
        for (var i = 0; i < Capacity; i++)
        {
            if (_ids[i] == connectionId && nowUs - _closedUs[i] <= RememberUs && _addresses[i] == address)
            {
                return true;
            }
        }
        return false;
    }
}
