using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using Engine.Protocol;
using Engine.Protocol.Rooms;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;
using Engine.Server.Fleet;
using Engine.Server.Limits;
using Engine.Server.Sessions;
using Engine.Server.Shards;
using Engine.Server.Simulation;

namespace Engine.Server.Rooms;

/// <summary>
/// The rooms of one shard and the room requests of its sessions: create, list, join, quick match,
/// leave, spectate, resume and chat, answered through <typeparamref name="TOutput"/>; and the room
/// timers (kept slots expire, empty rooms close). A request for a room on another shard becomes a
/// move of the session there; one for a room on another node, a redirect there (<see cref="FleetMoves"/>).
/// Sans-IO: time comes in, messages go out through the output.
/// </summary>
internal sealed class RoomService<TOutput>
    where TOutput : struct, ISessionOutput
{
    private readonly int _shard;
    private readonly ServerOptions _options;
    private readonly RoomDirectory _directory;
    private readonly ShardDirectory _shards;
    private readonly ShardCounters _counters;
    private readonly TOutput _output;
    private readonly RateLimit _reliableLimit;

    // Null on an insecure server: moving between nodes takes the token key.
    private readonly FleetMoves? _fleet;
    private readonly ShardRooms _rooms;
    private readonly byte[] _message = new byte[4096];

    public RoomService(int shard, ServerOptions options, RoomDirectory directory, ShardDirectory shards, Func<int, IGameMode> gameModes,
        ShardCounters counters, TOutput output, FleetMoves? fleet = null)
    {
        _shard = shard;
        _options = options;
        _directory = directory;
        _shards = shards;
        _rooms = new ShardRooms(shard, directory, gameModes, options.SnapshotHistoryDepth);
        _counters = counters;
        _output = output;
        _fleet = fleet;
        _reliableLimit = RateLimit.Of(options.ReliablePerSecondPerSession, 2 * options.ReliablePerSecondPerSession);
    }

    /// <summary>The rooms this shard runs (shard thread only).</summary>
    public ReadOnlySpan<Room> Rooms => _rooms.All;

    /// <summary>How many rooms this shard runs, for the metrics thread.</summary>
    public int RoomCount => _rooms.Count;

    /// <summary>Rooms allocated rather than reused (flat under churn once the pool covers the peak).</summary>
    public long RoomsAllocated => _rooms.Allocated;

    /// <summary>A reliable message from a session: the game's own bytes, or a room request.</summary>
    public void Receive(Session session, ReadOnlySpan<byte> payload, long nowUs)
    {
        if (payload.IsEmpty)
        {
            _counters.Drop(DropReason.MalformedMessage);
            return;
        }
        if (!session.Reliables.TryTake(_reliableLimit, nowUs))
        {
            // Delivered (and acknowledged) but over the session's rate: refused, and a request is told so.
            _counters.Drop(DropReason.SessionRateLimited);
            if (RoomRequest.IsClientOp(payload[0]) && RoomRequest.TryPeekRequestId(payload, out var limitedId))
            {
                SendResult(session, limitedId, RoomStatus.RateLimited, 0, nowUs);
            }
            return;
        }
        if ((RoomOp)payload[0] == RoomOp.Application)
        {
            if (_options.Echo)
            {
                _output.SendReliable(session, payload, nowUs);
            }
            return;
        }
        if (!RoomRequest.TryParse(payload, out var request))
        {
            _counters.Drop(DropReason.MalformedMessage);
            RoomRequest.TryPeekRequestId(payload, out var malformedId);
            SendResult(session, malformedId, RoomStatus.Malformed, 0, nowUs);
            return;
        }
        _counters.RoomRequests++;
        switch (request.Op)
        {
            case RoomOp.CreateRoom:
                Create(session, request, nowUs);
                break;
            case RoomOp.ListRooms:
                List(session, request, nowUs);
                break;
            case RoomOp.JoinRoom:
                Join(session, request, nowUs);
                break;
            case RoomOp.QuickMatch:
                QuickMatch(session, request, nowUs);
                break;
            case RoomOp.LeaveRoom:
                if (session.Room is not { } room)
                {
                    SendResult(session, request.RequestId, RoomStatus.NotInRoom, 0, nowUs);
                    break;
                }
                Leave(session, RoomLeaveReason.Requested, nowUs);
                SendResult(session, request.RequestId, RoomStatus.Ok, room.Id, nowUs);
                break;
            case RoomOp.Chat:
                Chat(session, request.Text, nowUs);
                break;
            case RoomOp.Resume:
                Resume(session, request, nowUs);
                break;
            case RoomOp.JoinFleetRoom:
                JoinFleetRoom(session, request, nowUs);
                break;
            case RoomOp.RedeemTicket:
                RedeemTicket(session, request, nowUs);
                break;
        }
    }

    private void Create(Session session, in RoomRequest request, long nowUs)
    {
        if (!RoomNames.TryRead(request.Name, out var name))
        {
            SendResult(session, request.RequestId, RoomStatus.InvalidName, 0, nowUs);
            return;
        }
        if (request.Capacity < 1 || request.Capacity > _options.MaxPlayersPerRoom)
        {
            SendResult(session, request.RequestId, RoomStatus.InvalidCapacity, 0, nowUs);
            return;
        }
        if (request.Password.Length > RoomLimits.MaxPasswordBytes || !Utf8.IsValid(request.Password))
        {
            SendResult(session, request.RequestId, RoomStatus.InvalidPassword, 0, nowUs);
            return;
        }
        var password = request.Password.IsEmpty ? null : RoomPassword.Create(request.Password);
        var status = _directory.TryCreate(name, _shard, request.Capacity, request.IsPrivate, password, out var entry);
        if (status != RoomStatus.Ok)
        {
            SendResult(session, request.RequestId, status, 0, nowUs);
            return;
        }
        entry!.TryReserve();
        Seat(session, _rooms.Of(entry, nowUs), RoomJoin.Player(entry.Id, request.RequestId), nowUs);
    }

    private void List(Session session, in RoomRequest request, long nowUs)
    {
        var pageSize = Math.Clamp((int)request.PageSize, 1, RoomLimits.MaxPageSize);
        var filter = Utf8.IsValid(request.Name) ? Encoding.UTF8.GetString(request.Name) : "";
        var (page, total) = _directory.List(request.Page, pageSize, request.OnlyJoinable, filter);
        var writer = new SpanWriter(_message);
        RoomMessages.RoomListHeader(ref writer, request.RequestId, (ushort)Math.Min(total, ushort.MaxValue), (byte)page.Count);
        foreach (var entry in page)
        {
            RoomMessages.RoomListEntry(ref writer, entry.Id, entry.NameBytes, (byte)Math.Min(entry.Players, 255), (byte)entry.Capacity,
                (ushort)Math.Min(entry.Spectators, ushort.MaxValue), entry.IsPrivate, entry.Password is not null);
        }
        _output.SendReliable(session, writer.Written, nowUs);
    }

    private void Join(Session session, in RoomRequest request, long nowUs)
    {
        var entry = request.RoomId != 0 ? _directory.Find(request.RoomId)
            : RoomNames.TryRead(request.Name, out var name) ? _directory.Find(name) : null;
        Join(session, request.RequestId, request.RoomId, entry, request.Password, request.Spectate, nowUs);
    }

    /// <summary>The ordinary rules of a join, whichever way the room was named: it exists, the password, a free place.</summary>
    private void Join(Session session, ushort requestId, uint askedRoomId, RoomEntry? entry, ReadOnlySpan<byte> password, bool spectate, long nowUs)
    {
        if (entry is null || entry.IsClosed)
        {
            SendResult(session, requestId, RoomStatus.NotFound, askedRoomId, nowUs);
            return;
        }
        if (session.Room is { } current && current.Entry == entry && session.IsSpectator == spectate)
        {
            SendResult(session, requestId, RoomStatus.Ok, entry.Id, nowUs);
            return;
        }
        if (entry.Password is not null && !entry.Password.Matches(password))
        {
            _counters.RoomPasswordFailures++;
            SendResult(session, requestId, RoomStatus.WrongPassword, entry.Id, nowUs);
            return;
        }
        if (spectate ? entry.Spectators >= _options.MaxSpectatorsPerRoom : !entry.TryReserve())
        {
            SendResult(session, requestId, RoomStatus.Full, entry.Id, nowUs);
            return;
        }
        Go(session, entry, new RoomJoin(entry.Id, spectate, requestId, false, 0, 0), nowUs);
    }

    /// <summary>
    /// A join by fleet-wide id: this node's room joins as usual; another node's room is a redirect there,
    /// and the player leaves their room here (moved) as they go.
    /// </summary>
    private void JoinFleetRoom(Session session, in RoomRequest request, long nowUs)
    {
        if (_fleet is null)
        {
            SendResult(session, request.RequestId, RoomStatus.Unavailable, request.RoomId, nowUs);
            return;
        }
        var status = _fleet.TryRedirect(session, request, out var local, out var redirect);
        if (local)
        {
            Join(session, request.RequestId, request.RoomId, _directory.Find(request.RoomId), request.Password, request.Spectate, nowUs);
            return;
        }
        if (status != RoomStatus.Ok)
        {
            SendResult(session, request.RequestId, status, request.RoomId, nowUs);
            return;
        }
        _counters.FleetRedirects++;
        Leave(session, RoomLeaveReason.Moved, nowUs);
        _output.SendReliable(session, redirect, nowUs);
    }

    /// <summary>A player redirected here from another node presents the ticket; a good one joins the room it names by the ordinary rules.</summary>
    private void RedeemTicket(Session session, in RoomRequest request, long nowUs)
    {
        if (_fleet is null)
        {
            SendResult(session, request.RequestId, RoomStatus.Unavailable, 0, nowUs);
            return;
        }
        Span<byte> plain = stackalloc byte[ResumeTicket.PrivateSize];
        if (_fleet.Redeem(session, request.Ticket, plain, out var ticket) != TicketVerdict.Accepted)
        {
            _counters.TicketsRefused++;
            SendResult(session, request.RequestId, RoomStatus.InvalidTicket, 0, nowUs);
            return;
        }
        _counters.TicketsRedeemed++;
        Join(session, request.RequestId, ticket.RoomId, _directory.Find(ticket.RoomId), ticket.Password, ticket.Spectate, nowUs);
        plain.Clear();
    }

    private void QuickMatch(Session session, in RoomRequest request, long nowUs)
    {
        var capacity = request.Capacity == 0 ? _options.DefaultRoomCapacity : request.Capacity;
        if (capacity > _options.MaxPlayersPerRoom)
        {
            SendResult(session, request.RequestId, RoomStatus.InvalidCapacity, 0, nowUs);
            return;
        }
        var entry = _directory.ReserveQuickMatch(capacity);
        if (entry is null)
        {
            // No open room fits: open one on the least-loaded shard.
            var shard = _shards.LeastLoaded();
            var status = RoomStatus.NameTaken;
            for (var attempt = 0; attempt < 3 && status == RoomStatus.NameTaken; attempt++)
            {
                status = _directory.TryCreate(_directory.NextMatchName(), shard, capacity, false, null, out entry);
            }
            if (status != RoomStatus.Ok)
            {
                SendResult(session, request.RequestId, status, 0, nowUs);
                return;
            }
            entry!.TryReserve();
        }
        Go(session, entry, RoomJoin.Player(entry.Id, request.RequestId), nowUs);
    }

    private void Resume(Session session, in RoomRequest request, long nowUs)
    {
        var entry = _directory.FindByResumeToken(request.Token);
        if (entry is null)
        {
            SendResult(session, request.RequestId, RoomStatus.InvalidToken, 0, nowUs);
            return;
        }
        Go(session, entry, new RoomJoin(entry.Id, false, request.RequestId, true,
            BinaryPrimitives.ReadUInt64LittleEndian(request.Token), BinaryPrimitives.ReadUInt64LittleEndian(request.Token.Slice(8))), nowUs);
    }

    /// <summary>Seats the session in a room here, or leaves its room and asks to move it to the room's shard.</summary>
    private void Go(Session session, RoomEntry entry, in RoomJoin join, long nowUs)
    {
        if (entry.Shard == _shard)
        {
            Seat(session, _rooms.Of(entry, nowUs), join, nowUs);
            return;
        }
        Leave(session, RoomLeaveReason.Moved, nowUs);
        _output.RequestMove(session, entry.Shard, join);
    }

    /// <summary>A session moved here from another shard for <paramref name="join"/>: seat it, or tell it the room is gone.</summary>
    public void Arrive(Session session, in RoomJoin join, long nowUs)
    {
        if (_directory.Find(join.RoomId) is { } entry && entry.Shard == _shard)
        {
            Seat(session, _rooms.Of(entry, nowUs), join, nowUs);
        }
        else
        {
            SendResult(session, join.RequestId, RoomStatus.NotFound, join.RoomId, nowUs);
        }
    }

    /// <summary>The move could not be queued: give back the reserved place and tell the client to try again.</summary>
    public void MoveFailed(Session session, in RoomJoin join, long nowUs)
    {
        if (!join.Spectate && !join.Resume)
        {
            _directory.Find(join.RoomId)?.ReleaseReservation();
        }
        SendResult(session, join.RequestId, RoomStatus.Busy, join.RoomId, nowUs);
    }

    /// <summary>Puts a session into a room this shard owns, as a player (into the slot reserved for it, or its kept one) or a spectator.</summary>
    private void Seat(Session session, Room room, in RoomJoin join, long nowUs)
    {
        var entry = room.Entry;
        if (entry.IsClosed)
        {
            if (!join.Spectate)
            {
                entry.ReleaseReservation();
            }
            SendResult(session, join.RequestId, RoomStatus.NotFound, entry.Id, nowUs);
            return;
        }
        Leave(session, RoomLeaveReason.Moved, nowUs);
        if (join.Spectate)
        {
            room.AddSpectator(session);
        }
        else
        {
            int slot;
            if (join.Resume)
            {
                Span<byte> token = stackalloc byte[RoomLimits.ResumeTokenSize];
                BinaryPrimitives.WriteUInt64LittleEndian(token, join.TokenLow);
                BinaryPrimitives.WriteUInt64LittleEndian(token.Slice(8), join.TokenHigh);
                slot = room.Resume(session, token, _directory);
                _counters.RoomResumes += slot >= 0 ? 1 : 0;
            }
            else
            {
                entry.ReleaseReservation();
                slot = room.Seat(session);
            }
            if (slot < 0)
            {
                SendResult(session, join.RequestId, join.Resume ? RoomStatus.InvalidToken : RoomStatus.Full, entry.Id, nowUs);
                return;
            }
        }
        _counters.RoomJoins++;
        _output.SendReliable(session, _message.AsSpan(0, RoomMessages.Joined(_message, new JoinedRoom
        {
            RequestId = join.RequestId,
            RoomId = room.Id,
            Name = entry.NameBytes,
            Capacity = (byte)entry.Capacity,
            Slot = session.Slot,
            PlayerId = session.PlayerId,
            Spectator = join.Spectate,
            IsPrivate = entry.IsPrivate,
            ResumeToken = join.Spectate ? new byte[RoomLimits.ResumeTokenSize] : session.ResumeToken,
            TickRate = (ushort)_options.TickRate,
            SnapshotRate = (ushort)_options.SnapshotRate,
            RoomEpoch = session.RoomEpoch,
        })), nowUs);
        // The newcomer learns who is there; the others learn of the newcomer (spectators are not announced).
        var slots = room.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i] is { } other && other != session)
            {
                _output.SendReliable(session, _message.AsSpan(0, RoomMessages.PlayerJoined(_message, (byte)i, other.PlayerId)), nowUs);
            }
        }
        if (!join.Spectate)
        {
            room.Broadcast(_output, _message.AsSpan(0, RoomMessages.PlayerJoined(_message, session.Slot, session.PlayerId)), except: session, nowUs);
        }
    }

    /// <summary>
    /// Takes the session out of its room, if any. A player who timed out keeps the slot for the
    /// reconnect window; the others are told, and so is the session when it is still there to hear.
    /// </summary>
    public void Leave(Session session, RoomLeaveReason reason, long nowUs)
    {
        if (session.Room is not { } room)
        {
            return;
        }
        var keepSlotUs = reason == RoomLeaveReason.TimedOut ? _options.ReconnectWindowMs * 1000L : 0;
        var slot = room.Leave(session, nowUs, keepSlotUs, _directory);
        if (slot != RoomLimits.NoSlot)
        {
            room.Broadcast(_output, _message.AsSpan(0, RoomMessages.PlayerLeft(_message, slot, session.PlayerId, reason)), except: null, nowUs);
        }
        if (reason is RoomLeaveReason.Requested or RoomLeaveReason.Moved or RoomLeaveReason.RoomClosed or RoomLeaveReason.Kicked)
        {
            _output.SendReliable(session, _message.AsSpan(0, RoomMessages.Left(_message, room.Id, reason)), nowUs);
        }
    }

    private void Chat(Session session, ReadOnlySpan<byte> text, long nowUs)
    {
        var room = session.Room;
        if (room is null)
        {
            SendResult(session, 0, RoomStatus.NotInRoom, 0, nowUs);
            return;
        }
        if (!session.TryTakeChat(_options.ChatBurst, _options.ChatPerSecond, nowUs))
        {
            _counters.ChatRateLimited++;
            SendResult(session, 0, RoomStatus.RateLimited, room.Id, nowUs);
            return;
        }
        Span<byte> clean = stackalloc byte[RoomLimits.MaxChatBytes];
        var length = ChatText.Sanitize(text, clean);
        if (length <= 0)
        {
            _counters.ChatRejected++;
            SendResult(session, 0, RoomStatus.InvalidMessage, room.Id, nowUs);
            return;
        }
        room.Broadcast(_output, _message.AsSpan(0, RoomMessages.ChatMessage(_message, session.PlayerId, clean.Slice(0, length))), except: null, nowUs);
    }

    /// <summary>Expires kept slots and closes rooms that stayed empty for the grace period.</summary>
    public void RunTimers(long nowUs) =>
        _counters.RoomsClosed += _rooms.RunTimers(_output, _options.EmptyRoomGraceMs * 1000L, nowUs);

    private void SendResult(Session session, ushort requestId, RoomStatus status, uint roomId, long nowUs) =>
        _output.SendReliable(session, _message.AsSpan(0, RoomMessages.Result(_message, requestId, status, roomId)), nowUs);
}
