using Engine.Protocol;
using Engine.Protocol.Rooms;
using Engine.Server.Concurrency;
using Engine.Server.Sessions;

namespace Engine.Server.Shards;

/// <summary>
/// Moving a session to the shard that owns its room: a new connection id that steers there, the
/// session object passed through a queue, and the old id forwarded until the client has switched.
/// </summary>
internal sealed partial class Shard
{
    private const long ForwardGraceUs = 10_000_000;

    // Sessions that moved away: packets still arriving under their old id go to the new shard.
    private readonly Dictionary<ulong, (int Shard, long ExpiresUs)> _forwards = new();

    // Sessions that moved here, by the id they had before, until the client confirms the new one.
    private readonly Dictionary<ulong, long> _aliasExpiry = new();

    public BoundedQueue<HandOver> HandOvers { get; } = new(1024);
    public BoundedQueue<ForwardedDatagram> Forwarded { get; } = new(512);

    /// <summary>Hands the sessions that must move to their new shards; runs after the flush, so nothing here still refers to them.</summary>
    private void RunPendingMoves(long now)
    {
        foreach (var (session, shard, join) in _pendingMoves)
        {
            var target = _server.Shard(shard);
            var oldId = session.Connection.Id;
            var move = new HandOver(session, NewConnectionId(shard), join);
            target.Reserve();
            if (!target.HandOvers.TryEnqueue(move))
            {
                target.CancelReservation();
                if (!join.Spectate && !join.Resume)
                {
                    _server.Rooms.Find(join.RoomId)?.ReleaseReservation();
                }
                SendResult(session, join.RequestId, RoomStatus.Busy, join.RoomId);
                continue;
            }
            _sessions.Remove(oldId);
            if (session.PreviousConnectionId != 0)
            {
                _sessions.Remove(session.PreviousConnectionId);
            }
            Interlocked.Decrement(ref _sessionCount);
            Counters.SessionsHandedOver++;
            _forwards[oldId] = (shard, now + ForwardGraceUs);
        }
        _pendingMoves.Clear();
    }

    /// <summary>Installs sessions handed over by other shards and handles datagrams they forwarded.</summary>
    private void DrainHandOvers(long now)
    {
        while (HandOvers.TryDequeue(out var move))
        {
            Interlocked.Decrement(ref _reserved);
            var session = move.Session;
            var oldId = session.Connection.Id;
            session.PreviousConnectionId = oldId;
            _sessions[oldId] = session;
            _sessions[move.NewConnectionId] = session;
            _aliasExpiry[oldId] = now + ForwardGraceUs;
            session.PendingConnectionId = move.NewConnectionId;
            Interlocked.Increment(ref _sessionCount);
            Counters.SessionsReceived++;
            SendReliable(session, _message.AsSpan(0, RoomMessages.Migrate(_message, move.NewConnectionId)));
            if (_server.Rooms.Find(move.Join.RoomId) is { } entry && entry.Shard == Index)
            {
                Seat(session, EnsureRoom(entry), move.Join, now);
            }
            else
            {
                SendResult(session, move.Join.RequestId, RoomStatus.NotFound, move.Join.RoomId);
            }
        }
        while (Forwarded.TryDequeue(out var forwarded))
        {
            Span<byte> bytes = forwarded.Bytes;
            HandleSessionPacket(bytes.Slice(0, forwarded.Length), forwarded.Source, now);
        }
    }

    /// <summary>A datagram for a session that moved away: pass it to the shard that has it now.</summary>
    private bool TryForward(ulong connectionId, ReadOnlySpan<byte> datagram, in Engine.Transport.PeerAddress source)
    {
        if (!_forwards.TryGetValue(connectionId, out var forward))
        {
            return false;
        }
        var item = new ForwardedDatagram { Source = source, Length = datagram.Length };
        datagram.CopyTo(item.Bytes);
        if (!_server.Shard(forward.Shard).Forwarded.TryEnqueue(item))
        {
            Counters.Drop(DropReason.ServerFull);
        }
        else
        {
            Counters.ForwardedDatagrams++;
        }
        return true;
    }

    private void ExpireForwards(long now)
    {
        foreach (var (id, forward) in _forwards)
        {
            if (forward.ExpiresUs <= now)
            {
                _forwards.Remove(id);
            }
        }
        foreach (var (id, expires) in _aliasExpiry)
        {
            if (expires <= now)
            {
                _aliasExpiry.Remove(id);
                _sessions.Remove(id);
            }
        }
    }
}
