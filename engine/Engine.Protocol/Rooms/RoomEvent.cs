using Engine.Protocol.Security;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Rooms;

/// <summary>
/// A parsed message from the server about rooms (everything but room lists, which
/// <see cref="RoomListReader"/> reads). Which fields mean something depends on <see cref="Op"/>.
/// </summary>
public readonly ref struct RoomEvent
{
    public RoomOp Op { get; init; }
    public ushort RequestId { get; init; }
    public RoomStatus Status { get; init; }
    public uint RoomId { get; init; }
    public ReadOnlySpan<byte> Name { get; init; }
    public byte Capacity { get; init; }
    public byte Slot { get; init; }
    public uint PlayerId { get; init; }
    public bool Spectator { get; init; }
    public bool IsPrivate { get; init; }
    public ReadOnlySpan<byte> ResumeToken { get; init; }
    public ushort TickRate { get; init; }
    public ushort SnapshotRate { get; init; }
    public byte RoomEpoch { get; init; }
    public RoomLeaveReason LeaveReason { get; init; }
    public ReadOnlySpan<byte> Text { get; init; }
    public ulong ConnectionId { get; init; }

    /// <summary>Redirect: the other node's id, its address (19-byte token form), a connect token for it and the ticket.</summary>
    public ReadOnlySpan<byte> NodeId { get; init; }
    public ReadOnlySpan<byte> Address { get; init; }
    public ReadOnlySpan<byte> ConnectToken { get; init; }
    public ReadOnlySpan<byte> Ticket { get; init; }

    public static bool TryParse(ReadOnlySpan<byte> message, out RoomEvent e)
    {
        e = default;
        var reader = new SpanReader(message);
        var op = (RoomOp)reader.ReadByte();
        switch (op)
        {
            case RoomOp.Result:
            {
                var id = reader.ReadUInt16();
                var status = (RoomStatus)reader.ReadByte();
                e = new RoomEvent { Op = op, RequestId = id, Status = status, RoomId = reader.ReadUInt32() };
                break;
            }
            case RoomOp.Joined:
            {
                var id = reader.ReadUInt16();
                var roomId = reader.ReadUInt32();
                var name = reader.ReadBytes(RoomLimits.MaxNameBytes);
                var capacity = reader.ReadByte();
                var slot = reader.ReadByte();
                var playerId = reader.ReadUInt32();
                var flags = reader.ReadByte();
                var token = reader.ReadFixed(RoomLimits.ResumeTokenSize);
                var tickRate = reader.ReadUInt16();
                var snapshotRate = reader.ReadUInt16();
                var epoch = reader.ReadByte();
                e = new RoomEvent
                {
                    Op = op, RequestId = id, RoomId = roomId, Name = name, Capacity = capacity, Slot = slot, PlayerId = playerId,
                    Spectator = (flags & 1) != 0, IsPrivate = (flags & 2) != 0, ResumeToken = token, TickRate = tickRate, SnapshotRate = snapshotRate,
                    RoomEpoch = epoch,
                };
                break;
            }
            case RoomOp.PlayerJoined:
            {
                var slot = reader.ReadByte();
                e = new RoomEvent { Op = op, Slot = slot, PlayerId = reader.ReadUInt32() };
                break;
            }
            case RoomOp.PlayerLeft:
            {
                var slot = reader.ReadByte();
                var playerId = reader.ReadUInt32();
                e = new RoomEvent { Op = op, Slot = slot, PlayerId = playerId, LeaveReason = (RoomLeaveReason)reader.ReadByte() };
                break;
            }
            case RoomOp.ChatMessage:
            {
                var playerId = reader.ReadUInt32();
                e = new RoomEvent { Op = op, PlayerId = playerId, Text = reader.ReadBytes(RoomLimits.MaxChatBytes) };
                break;
            }
            case RoomOp.Left:
            {
                var roomId = reader.ReadUInt32();
                e = new RoomEvent { Op = op, RoomId = roomId, LeaveReason = (RoomLeaveReason)reader.ReadByte() };
                break;
            }
            case RoomOp.Move:
                e = new RoomEvent { Op = op, ConnectionId = reader.ReadUInt64() };
                break;
            case RoomOp.Redirect:
            {
                var id = reader.ReadUInt16();
                var node = reader.ReadBytes(RoomLimits.MaxNodeIdBytes);
                var roomId = reader.ReadUInt32();
                var address = reader.ReadFixed(SecurityConstants.AddressSize);
                var token = reader.ReadFixed(Security.ConnectToken.Size);
                var ticket = reader.ReadFixed(ResumeTicket.Size);
                e = new RoomEvent { Op = op, RequestId = id, NodeId = node, RoomId = roomId, Address = address, ConnectToken = token, Ticket = ticket };
                break;
            }
            default:
                return false;
        }
        return reader.IsCompleteAndValid;
    }
}

/// <summary>Reads a room list message: the header, then one entry at a time.</summary>
public ref struct RoomListReader
{
    private SpanReader _reader;
    private int _left;

    public RoomListReader(ReadOnlySpan<byte> message)
    {
        _reader = new SpanReader(message);
        IsValid = (RoomOp)_reader.ReadByte() == RoomOp.RoomList;
        RequestId = _reader.ReadUInt16();
        Total = _reader.ReadUInt16();
        _left = _reader.ReadByte();
        IsValid &= !_reader.Failed;
    }

    public bool IsValid { get; private set; }
    public ushort RequestId { get; }
    public ushort Total { get; }

    /// <summary>The next entry; flag bits other than private (0) and password (1) are ignored.</summary>
    public bool TryReadEntry(out uint roomId, out ReadOnlySpan<byte> name, out byte players, out byte capacity, out ushort spectators, out bool isPrivate, out bool hasPassword)
    {
        roomId = 0;
        name = default;
        players = capacity = 0;
        spectators = 0;
        isPrivate = hasPassword = false;
        if (!IsValid || _left == 0)
        {
            return false;
        }
        _left--;
        roomId = _reader.ReadUInt32();
        name = _reader.ReadBytes(RoomLimits.MaxNameBytes);
        players = _reader.ReadByte();
        capacity = _reader.ReadByte();
        spectators = _reader.ReadUInt16();
        var flags = _reader.ReadByte();
        isPrivate = (flags & 1) != 0;
        hasPassword = (flags & 2) != 0;
        IsValid = !_reader.Failed;
        return IsValid;
    }
}
