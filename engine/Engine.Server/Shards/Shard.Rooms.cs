using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Engine.Protocol;
using Engine.Protocol.Rooms;
using Engine.Protocol.Wire;
using Engine.Server.Concurrency;
using Engine.Server.Rooms;
using Engine.Server.Sessions;

namespace Engine.Server.Shards;

/// <summary>Rooms this shard owns, and the room requests of the sessions it owns.</summary>
internal sealed partial class Shard
{
    private readonly List<Room> _rooms = new();
    private readonly Dictionary<uint, Room> _roomsById = new();

    // Enough closed rooms to refill a busy shard after a lull, not the whole directory.
    private readonly RoomPool _roomPool = new(retained: 256);
    private readonly byte[] _message = new byte[4096];
    private readonly List<(Session Session, int Shard, PendingJoin Join)> _pendingMoves = new();
    private int _roomCount;

    internal long RoomsAllocated => _roomPool.Created;

    /// <summary>Rooms this shard runs, for the metrics thread (the list itself belongs to the shard thread).</summary>
    public int RoomCount => Volatile.Read(ref _roomCount);

    /// <summary>A reliable message from a session: the game's own bytes, or a room request.</summary>
    private void HandleReliable(Session session, ReadOnlySpan<byte> payload, long now)
    {
        if (payload.IsEmpty)
        {
            Counters.Drop(DropReason.MalformedMessage);
            return;
        }
        if (!session.Reliables.TryTake(_sessionReliableLimit, now))
        {
            // Delivered (and acknowledged) but over the session's rate: refused, and a request is told so.
            Counters.Drop(DropReason.SessionRateLimited);
            if (payload[0] is > (byte)RoomOp.Application and < 0x80 && payload[0] != (byte)RoomOp.Chat && payload.Length >= 3)
            {
                SendResult(session, BinaryPrimitives.ReadUInt16LittleEndian(payload.Slice(1)), RoomStatus.RateLimited, 0);
            }
            return;
        }
        if ((RoomOp)payload[0] == RoomOp.Application)
        {
            if (_options.Echo)
            {
                SendReliable(session, payload);
            }
            return;
        }
        if (!RoomRequest.TryParse(payload, out var request))
        {
            Counters.Drop(DropReason.MalformedMessage);
            var requestId = payload.Length >= 3 && payload[0] != (byte)RoomOp.Chat ? BinaryPrimitives.ReadUInt16LittleEndian(payload.Slice(1)) : (ushort)0;
            SendResult(session, requestId, RoomStatus.Malformed, 0);
            return;
        }
        Counters.RoomRequests++;
        switch (request.Op)
        {
            case RoomOp.CreateRoom:
                CreateRoom(session, request, now);
                break;
            case RoomOp.ListRooms:
                ListRooms(session, request);
                break;
            case RoomOp.JoinRoom:
                JoinRoom(session, request, now);
                break;
            case RoomOp.QuickMatch:
                QuickMatch(session, request, now);
                break;
            case RoomOp.LeaveRoom:
                if (session.Room is null)
                {
                    SendResult(session, request.RequestId, RoomStatus.NotInRoom, 0);
                }
                else
                {
                    var roomId = session.Room.Id;
                    LeaveRoom(session, RoomLeaveReason.Requested, now, keepSlot: false);
                    SendResult(session, request.RequestId, RoomStatus.Ok, roomId);
                }
                break;
            case RoomOp.Chat:
                Chat(session, request.Text, now);
                break;
            case RoomOp.Resume:
                Resume(session, request, now);
                break;
        }
    }

    private void CreateRoom(Session session, in RoomRequest request, long now)
    {
        if (!TryReadName(request.Name, out var name))
        {
            SendResult(session, request.RequestId, RoomStatus.InvalidName, 0);
            return;
        }
        if (request.Capacity < 1 || request.Capacity > _options.MaxPlayersPerRoom)
        {
            SendResult(session, request.RequestId, RoomStatus.InvalidCapacity, 0);
            return;
        }
        if (request.Password.Length > RoomLimits.MaxPasswordBytes || !Utf8.IsValid(request.Password))
        {
            SendResult(session, request.RequestId, RoomStatus.InvalidPassword, 0);
            return;
        }
        var password = request.Password.IsEmpty ? null : RoomPassword.Create(request.Password);
        var status = _server.Rooms.TryCreate(name, Index, request.Capacity, request.IsPrivate, password, out var entry);
        if (status != RoomStatus.Ok)
        {
            SendResult(session, request.RequestId, status, 0);
            return;
        }
        entry!.TryReserve();
        Seat(session, EnsureRoom(entry), new PendingJoin(entry.Id, false, request.RequestId, false, 0, 0), now);
    }

    private void ListRooms(Session session, in RoomRequest request)
    {
        var pageSize = Math.Clamp((int)request.PageSize, 1, RoomLimits.MaxPageSize);
        var filter = Utf8.IsValid(request.Name) ? Encoding.UTF8.GetString(request.Name) : "";
        var (page, total) = _server.Rooms.List(request.Page, pageSize, request.OnlyJoinable, filter);
        var writer = new SpanWriter(_message);
        RoomMessages.RoomListHeader(ref writer, request.RequestId, (ushort)Math.Min(total, ushort.MaxValue), (byte)page.Count);
        foreach (var entry in page)
        {
            RoomMessages.RoomListEntry(ref writer, entry.Id, entry.NameBytes, (byte)Math.Min(entry.Players, 255), (byte)entry.Capacity,
                (ushort)Math.Min(entry.Spectators, ushort.MaxValue), entry.IsPrivate);
        }
        SendReliable(session, writer.Written);
    }

    private void JoinRoom(Session session, in RoomRequest request, long now)
    {
        RoomEntry? entry;
        if (request.RoomId != 0)
        {
            entry = _server.Rooms.Find(request.RoomId);
        }
        else
        {
            entry = TryReadName(request.Name, out var name) ? _server.Rooms.Find(name) : null;
        }
        if (entry is null || entry.IsClosed)
        {
            SendResult(session, request.RequestId, RoomStatus.NotFound, request.RoomId);
            return;
        }
        if (session.Room == _roomsById.GetValueOrDefault(entry.Id) && session.Room is not null && session.IsSpectator == request.Spectate)
        {
            SendResult(session, request.RequestId, RoomStatus.Ok, entry.Id);
            return;
        }
        if (entry.Password is not null && !entry.Password.Matches(request.Password))
        {
            Counters.RoomPasswordFailures++;
            SendResult(session, request.RequestId, RoomStatus.WrongPassword, entry.Id);
            return;
        }
        if (request.Spectate ? entry.Spectators >= _options.MaxSpectatorsPerRoom : !entry.TryReserve())
        {
            SendResult(session, request.RequestId, RoomStatus.Full, entry.Id);
            return;
        }
        GoTo(session, entry, new PendingJoin(entry.Id, request.Spectate, request.RequestId, false, 0, 0), now);
    }

    private void QuickMatch(Session session, in RoomRequest request, long now)
    {
        var capacity = request.Capacity == 0 ? _options.DefaultRoomCapacity : request.Capacity;
        if (capacity > _options.MaxPlayersPerRoom)
        {
            SendResult(session, request.RequestId, RoomStatus.InvalidCapacity, 0);
            return;
        }
        var entry = _server.Rooms.ReserveQuickMatch(capacity);
        if (entry is null)
        {
            // No open room fits: open one on the least-loaded shard.
            var target = _server.LeastLoadedShard();
            var status = RoomStatus.NameTaken;
            for (var attempt = 0; attempt < 3 && status == RoomStatus.NameTaken; attempt++)
            {
                status = _server.Rooms.TryCreate(_server.Rooms.NextMatchName(), target.Index, capacity, false, null, out entry);
            }
            if (status != RoomStatus.Ok)
            {
                SendResult(session, request.RequestId, status, 0);
                return;
            }
            entry!.TryReserve();
        }
        GoTo(session, entry, new PendingJoin(entry.Id, false, request.RequestId, false, 0, 0), now);
    }

    private void Resume(Session session, in RoomRequest request, long now)
    {
        var entry = _server.Rooms.FindByResumeToken(request.Token);
        if (entry is null)
        {
            SendResult(session, request.RequestId, RoomStatus.InvalidToken, 0);
            return;
        }
        GoTo(session, entry, new PendingJoin(entry.Id, false, request.RequestId, true,
            BinaryPrimitives.ReadUInt64LittleEndian(request.Token), BinaryPrimitives.ReadUInt64LittleEndian(request.Token.Slice(8))), now);
    }

    /// <summary>Seats the session in a room here, or hands it over to the room's shard.</summary>
    private void GoTo(Session session, RoomEntry entry, in PendingJoin join, long now)
    {
        if (entry.Shard == Index)
        {
            Seat(session, EnsureRoom(entry), join, now);
            return;
        }
        if (session.Room is not null)
        {
            LeaveRoom(session, RoomLeaveReason.Moved, now, keepSlot: false);
        }
        // Handed over after this loop's flush, once nothing here refers to the session any more.
        _pendingMoves.Add((session, entry.Shard, join));
    }

    private Room EnsureRoom(RoomEntry entry)
    {
        if (!_roomsById.TryGetValue(entry.Id, out var room))
        {
            room = _roomPool.Open(entry, _server.CreateGameMode(entry.Capacity));
            _roomsById.Add(entry.Id, room);
            _rooms.Add(room);
            Volatile.Write(ref _roomCount, _rooms.Count);
        }
        return room;
    }

    /// <summary>Puts a session into a room this shard owns, as a player (a reserved slot) or a spectator.</summary>
    private void Seat(Session session, Room room, in PendingJoin join, long now)
    {
        var entry = room.Entry;
        if (entry.IsClosed)
        {
            if (!join.Spectate)
            {
                entry.ReleaseReservation();
            }
            SendResult(session, join.RequestId, RoomStatus.NotFound, entry.Id);
            return;
        }
        if (session.Room is not null)
        {
            LeaveRoom(session, RoomLeaveReason.Moved, now, keepSlot: false);
        }
        if (join.Spectate)
        {
            room.Spectators.Add(session);
            session.Room = room;
            session.Slot = RoomLimits.NoSlot;
            session.ResetView(room.Slots.Length);
        }
        else
        {
            var slot = join.Resume ? TakeKeptSlot(room, session, join) : room.FreeSlot();
            if (!join.Resume)
            {
                entry.ReleaseReservation();
            }
            if (slot < 0)
            {
                SendResult(session, join.RequestId, join.Resume ? RoomStatus.InvalidToken : RoomStatus.Full, entry.Id);
                return;
            }
            room.Slots[slot] = session;
            room.PlayerCount++;
            session.Room = room;
            session.Slot = (byte)slot;
            RandomNumberGenerator.Fill(session.ResumeToken);
            JoinSimulation(room, session);
        }
        room.EmptySinceUs = -1;
        room.PublishCounts();
        Counters.RoomJoins++;

        SendReliable(session, _message.AsSpan(0, RoomMessages.Joined(_message, new JoinedRoom
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
        })));
        // The newcomer learns who is there; the others learn of the newcomer (spectators are not announced).
        for (var i = 0; i < room.Slots.Length; i++)
        {
            var other = room.Slots[i];
            if (other is not null && other != session)
            {
                SendReliable(session, _message.AsSpan(0, RoomMessages.PlayerJoined(_message, (byte)i, other.PlayerId)));
            }
        }
        if (!join.Spectate)
        {
            Broadcast(room, _message.AsSpan(0, RoomMessages.PlayerJoined(_message, session.Slot, session.PlayerId)), except: session);
        }
    }

    private int TakeKeptSlot(Room room, Session session, in PendingJoin join)
    {
        Span<byte> token = stackalloc byte[RoomLimits.ResumeTokenSize];
        BinaryPrimitives.WriteUInt64LittleEndian(token, join.TokenLow);
        BinaryPrimitives.WriteUInt64LittleEndian(token.Slice(8), join.TokenHigh);
        for (var i = 0; i < room.Kept.Length; i++)
        {
            ref var kept = ref room.Kept[i];
            if (kept.InUse && kept.Token is not null && CryptographicOperations.FixedTimeEquals(kept.Token, token))
            {
                kept.InUse = false;
                _server.Rooms.RemoveResumeToken(token);
                session.AdoptPlayerId(kept.PlayerId);
                Counters.RoomResumes++;
                return i;
            }
        }
        return -1;
    }

    /// <summary>Takes the session out of its room; a player who timed out keeps the slot for the reconnect window.</summary>
    private void LeaveRoom(Session session, RoomLeaveReason reason, long now, bool keepSlot)
    {
        var room = session.Room;
        if (room is null)
        {
            return;
        }
        var slot = session.Slot;
        session.Room = null;
        session.Slot = RoomLimits.NoSlot;
        if (slot == RoomLimits.NoSlot)
        {
            room.Spectators.Remove(session);
        }
        else
        {
            room.Slots[slot] = null;
            room.PlayerCount--;
            LeaveSimulation(room, slot);
            if (keepSlot && _options.ReconnectWindowMs > 0)
            {
                ref var kept = ref room.Kept[slot];
                kept.InUse = true;
                kept.PlayerId = session.PlayerId;
                kept.ExpiresUs = now + (_options.ReconnectWindowMs * 1000L);
                kept.Token ??= new byte[RoomLimits.ResumeTokenSize];
                session.ResumeToken.CopyTo(kept.Token, 0);
                _server.Rooms.AddResumeToken(kept.Token, room.Id);
            }
            Broadcast(room, _message.AsSpan(0, RoomMessages.PlayerLeft(_message, slot, session.PlayerId, reason)), except: null);
        }
        if (reason is RoomLeaveReason.Requested or RoomLeaveReason.Moved or RoomLeaveReason.RoomClosed or RoomLeaveReason.Kicked)
        {
            SendReliable(session, _message.AsSpan(0, RoomMessages.Left(_message, room.Id, reason)));
        }
        room.PublishCounts();
        if (room.IsEmpty)
        {
            room.EmptySinceUs = now;
        }
    }

    private void Chat(Session session, ReadOnlySpan<byte> text, long now)
    {
        var room = session.Room;
        if (room is null)
        {
            SendResult(session, 0, RoomStatus.NotInRoom, 0);
            return;
        }
        if (!TakeChatToken(session, now))
        {
            Counters.ChatRateLimited++;
            SendResult(session, 0, RoomStatus.RateLimited, room.Id);
            return;
        }
        Span<byte> clean = stackalloc byte[RoomLimits.MaxChatBytes];
        var length = ChatText.Sanitize(text, clean);
        if (length <= 0)
        {
            Counters.ChatRejected++;
            SendResult(session, 0, RoomStatus.InvalidMessage, room.Id);
            return;
        }
        Broadcast(room, _message.AsSpan(0, RoomMessages.ChatMessage(_message, session.PlayerId, clean.Slice(0, length))), except: null);
    }

    private bool TakeChatToken(Session session, long now)
    {
        if (session.ChatTokens < 0)
        {
            session.ChatTokens = _options.ChatBurst;
        }
        var refill = (now - session.ChatRefilledUs) / 1_000_000.0 * _options.ChatPerSecond;
        session.ChatTokens = Math.Min(_options.ChatBurst, session.ChatTokens + refill);
        session.ChatRefilledUs = now;
        if (session.ChatTokens < 1)
        {
            return false;
        }
        session.ChatTokens -= 1;
        return true;
    }

    private void Broadcast(Room room, ReadOnlySpan<byte> message, Session? except)
    {
        foreach (var player in room.Slots)
        {
            if (player is not null && player != except)
            {
                SendReliable(player, message);
            }
        }
        foreach (var spectator in room.Spectators)
        {
            if (spectator != except)
            {
                SendReliable(spectator, message);
            }
        }
    }

    private void SendResult(Session session, ushort requestId, RoomStatus status, uint roomId) =>
        SendReliable(session, _message.AsSpan(0, RoomMessages.Result(_message, requestId, status, roomId)));

    private void SendReliable(Session session, ReadOnlySpan<byte> message)
    {
        if (!session.Connection.QueueReliable(message))
        {
            Counters.ReliableOverflows++;
        }
        QueueFlush(session, _now);
    }

    /// <summary>Expires kept slots and closes rooms that stayed empty for the grace period.</summary>
    private void RunRoomTimers(long now)
    {
        for (var r = _rooms.Count - 1; r >= 0; r--)
        {
            var room = _rooms[r];
            for (var i = 0; i < room.Kept.Length; i++)
            {
                ref var kept = ref room.Kept[i];
                if (kept.InUse && kept.ExpiresUs <= now)
                {
                    kept.InUse = false;
                    _server.Rooms.RemoveResumeToken(kept.Token);
                    room.PublishCounts();
                    if (room.IsEmpty)
                    {
                        room.EmptySinceUs = now;
                    }
                }
            }
            if (room.IsEmpty && room.EmptySinceUs >= 0 && now - room.EmptySinceUs >= _options.EmptyRoomGraceMs * 1000L && room.Entry.Occupied == 0)
            {
                _server.Rooms.Remove(room.Entry);
                _roomsById.Remove(room.Id);
                _rooms.RemoveAt(r);
                _roomPool.Return(room);
                Volatile.Write(ref _roomCount, _rooms.Count);
                Counters.RoomsClosed++;
            }
        }
        ExpireForwards(now);
    }

    /// <summary>Room names: 1 to 32 bytes of valid UTF-8, no control characters, not blank.</summary>
    private static bool TryReadName(ReadOnlySpan<byte> bytes, out string name)
    {
        name = "";
        if (bytes.IsEmpty || bytes.Length > RoomLimits.MaxNameBytes || !Utf8.IsValid(bytes))
        {
            return false;
        }
        name = Encoding.UTF8.GetString(bytes);
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsControl))
        {
            return false;
        }
        return true;
    }
}
