using Engine.Protocol.Security;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Rooms;

/// <summary>Writers for every room message, both directions. Each returns the bytes written, or 0 when the destination is too small.</summary>
public static class RoomMessages
{
    public static int CreateRoom(Span<byte> destination, ushort requestId, ReadOnlySpan<byte> name, byte capacity, bool isPrivate, ReadOnlySpan<byte> password)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.CreateRoom);
        w.WriteUInt16(requestId);
        w.WriteBytes(name);
        w.WriteByte(capacity);
        w.WriteByte(isPrivate ? (byte)1 : (byte)0);
        w.WriteBytes(password);
        return Done(w);
    }

    public static int ListRooms(Span<byte> destination, ushort requestId, ushort page, byte pageSize, bool onlyJoinable, ReadOnlySpan<byte> nameFilter)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.ListRooms);
        w.WriteUInt16(requestId);
        w.WriteUInt16(page);
        w.WriteByte(pageSize);
        w.WriteByte(onlyJoinable ? (byte)1 : (byte)0);
        w.WriteBytes(nameFilter);
        return Done(w);
    }

    public static int JoinRoom(Span<byte> destination, ushort requestId, uint roomId, ReadOnlySpan<byte> name, ReadOnlySpan<byte> password, bool spectate)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.JoinRoom);
        w.WriteUInt16(requestId);
        w.WriteUInt32(roomId);
        w.WriteBytes(name);
        w.WriteBytes(password);
        w.WriteByte(spectate ? (byte)1 : (byte)0);
        return Done(w);
    }

    public static int QuickMatch(Span<byte> destination, ushort requestId, byte capacity)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.QuickMatch);
        w.WriteUInt16(requestId);
        w.WriteByte(capacity);
        return Done(w);
    }

    public static int LeaveRoom(Span<byte> destination, ushort requestId)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.LeaveRoom);
        w.WriteUInt16(requestId);
        return Done(w);
    }

    public static int Chat(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.Chat);
        w.WriteBytes(text);
        return Done(w);
    }

    public static int Resume(Span<byte> destination, ushort requestId, ReadOnlySpan<byte> token)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.Resume);
        w.WriteUInt16(requestId);
        w.WriteFixed(token.Slice(0, RoomLimits.ResumeTokenSize));
        return Done(w);
    }

    /// <summary>Joins room <paramref name="roomId"/> of node <paramref name="nodeId"/> (a fleet-wide room id, NODE:ROOM).</summary>
    public static int JoinFleetRoom(Span<byte> destination, ushort requestId, ReadOnlySpan<byte> nodeId, uint roomId, ReadOnlySpan<byte> password, bool spectate)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.JoinFleetRoom);
        w.WriteUInt16(requestId);
        w.WriteBytes(nodeId);
        w.WriteUInt32(roomId);
        w.WriteBytes(password);
        w.WriteByte(spectate ? (byte)1 : (byte)0);
        return Done(w);
    }

    /// <summary>Presents a redirect's resume ticket, as it came (<see cref="ResumeTicket.Size"/> bytes).</summary>
    public static int RedeemTicket(Span<byte> destination, ushort requestId, ReadOnlySpan<byte> ticket)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.RedeemTicket);
        w.WriteUInt16(requestId);
        w.WriteFixed(ticket.Slice(0, ResumeTicket.Size));
        return Done(w);
    }

    public static int Result(Span<byte> destination, ushort requestId, RoomStatus status, uint roomId)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.Result);
        w.WriteUInt16(requestId);
        w.WriteByte((byte)status);
        w.WriteUInt32(roomId);
        return Done(w);
    }

    public static int Joined(Span<byte> destination, in JoinedRoom joined)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.Joined);
        w.WriteUInt16(joined.RequestId);
        w.WriteUInt32(joined.RoomId);
        w.WriteBytes(joined.Name);
        w.WriteByte(joined.Capacity);
        w.WriteByte(joined.Slot);
        w.WriteUInt32(joined.PlayerId);
        w.WriteByte((byte)((joined.Spectator ? 1 : 0) | (joined.IsPrivate ? 2 : 0)));
        w.WriteFixed(joined.ResumeToken);
        w.WriteUInt16(joined.TickRate);
        w.WriteUInt16(joined.SnapshotRate);
        w.WriteByte(joined.RoomEpoch);
        return Done(w);
    }

    public static int PlayerJoined(Span<byte> destination, byte slot, uint playerId)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.PlayerJoined);
        w.WriteByte(slot);
        w.WriteUInt32(playerId);
        return Done(w);
    }

    /// <summary>The size of a <see cref="PlayerLeft"/> message: op, slot, player id, reason.</summary>
    public const int PlayerLeftSize = 1 + 1 + 4 + 1;

    public static int PlayerLeft(Span<byte> destination, byte slot, uint playerId, RoomLeaveReason reason)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.PlayerLeft);
        w.WriteByte(slot);
        w.WriteUInt32(playerId);
        w.WriteByte((byte)reason);
        return Done(w);
    }

    public static int ChatMessage(Span<byte> destination, uint playerId, ReadOnlySpan<byte> text)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.ChatMessage);
        w.WriteUInt32(playerId);
        w.WriteBytes(text);
        return Done(w);
    }

    public static int Left(Span<byte> destination, uint roomId, RoomLeaveReason reason)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.Left);
        w.WriteUInt32(roomId);
        w.WriteByte((byte)reason);
        return Done(w);
    }

    /// <summary>The session moved to another shard: the client sends under <paramref name="newConnectionId"/> from now on.</summary>
    public static int Move(Span<byte> destination, ulong newConnectionId)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.Move);
        w.WriteUInt64(newConnectionId);
        return Done(w);
    }

    /// <summary>
    /// The room is on another node: connect to <see cref="RedirectTarget.Address"/> with the connect token and
    /// present the ticket there. The request id is the join's; the answer to it comes from the other node.
    /// </summary>
    public static int Redirect(Span<byte> destination, in RedirectTarget redirect)
    {
        var w = new SpanWriter(destination);
        w.WriteByte((byte)RoomOp.Redirect);
        w.WriteUInt16(redirect.RequestId);
        w.WriteBytes(redirect.NodeId);
        w.WriteUInt32(redirect.RoomId);
        w.WriteFixed(redirect.Address.Slice(0, SecurityConstants.AddressSize));
        w.WriteFixed(redirect.ConnectToken.Slice(0, ConnectToken.Size));
        w.WriteFixed(redirect.Ticket.Slice(0, ResumeTicket.Size));
        return Done(w);
    }

    /// <summary>The header of a room list; entries follow with <see cref="RoomListEntry"/>.</summary>
    public static void RoomListHeader(ref SpanWriter w, ushort requestId, ushort total, byte count)
    {
        w.WriteByte((byte)RoomOp.RoomList);
        w.WriteUInt16(requestId);
        w.WriteUInt16(total);
        w.WriteByte(count);
    }

    /// <summary>One room of a list; flags: bit 0 private (never set today: private rooms are not listed), bit 1 password.</summary>
    public static void RoomListEntry(ref SpanWriter w, uint roomId, ReadOnlySpan<byte> name, byte players, byte capacity, ushort spectators, bool isPrivate, bool hasPassword)
    {
        w.WriteUInt32(roomId);
        w.WriteBytes(name);
        w.WriteByte(players);
        w.WriteByte(capacity);
        w.WriteUInt16(spectators);
        w.WriteByte((byte)((isPrivate ? 1 : 0) | (hasPassword ? 2 : 0)));
    }

    private static int Done(in SpanWriter w) => w.Overflowed ? 0 : w.Length;
}

/// <summary>What the server tells a player who entered a room.</summary>
public readonly ref struct JoinedRoom
{
    public ushort RequestId { get; init; }
    public uint RoomId { get; init; }
    public ReadOnlySpan<byte> Name { get; init; }
    public byte Capacity { get; init; }

    /// <summary>The player's slot in the room's snapshots; <see cref="RoomLimits.NoSlot"/> for a spectator.</summary>
    public byte Slot { get; init; }
    public uint PlayerId { get; init; }
    public bool Spectator { get; init; }
    public bool IsPrivate { get; init; }

    /// <summary>Presented after a reconnect to take the kept slot back.</summary>
    public ReadOnlySpan<byte> ResumeToken { get; init; }
    public ushort TickRate { get; init; }
    public ushort SnapshotRate { get; init; }

    /// <summary>Counts the rooms this session entered (wrapping): every snapshot from this room carries it.</summary>
    public byte RoomEpoch { get; init; }
}

/// <summary>Where a player goes to join a room on another node: what a Redirect carries.</summary>
public readonly ref struct RedirectTarget
{
    public ushort RequestId { get; init; }

    /// <summary>The other node's id in the fleet.</summary>
    public ReadOnlySpan<byte> NodeId { get; init; }

    /// <summary>The room, the other node's own id for it.</summary>
    public uint RoomId { get; init; }

    /// <summary>The node's address in a connect token's 19-byte form (<see cref="TokenAddress"/>).</summary>
    public ReadOnlySpan<byte> Address { get; init; }

    /// <summary>A connect token for that node (<see cref="Security.ConnectToken.Size"/> bytes, its binary form).</summary>
    public ReadOnlySpan<byte> ConnectToken { get; init; }

    /// <summary>The resume ticket to present there (<see cref="ResumeTicket.Size"/> bytes, opaque to the client).</summary>
    public ReadOnlySpan<byte> Ticket { get; init; }
}
