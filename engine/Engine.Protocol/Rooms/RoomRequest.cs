using System.Buffers.Binary;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Rooms;

/// <summary>
/// A parsed request from a client. Which fields mean something depends on <see cref="Op"/>;
/// the spans point into the received message and live only as long as it does.
/// </summary>
public readonly ref struct RoomRequest
{
    public RoomOp Op { get; init; }
    public ushort RequestId { get; init; }
    public uint RoomId { get; init; }
    public ReadOnlySpan<byte> Name { get; init; }
    public ReadOnlySpan<byte> Password { get; init; }
    public ReadOnlySpan<byte> Text { get; init; }
    public ReadOnlySpan<byte> Token { get; init; }

    /// <summary>JoinFleetRoom: the node's id (its fleet-wide room id is NODE:ROOM).</summary>
    public ReadOnlySpan<byte> NodeId { get; init; }

    /// <summary>RedeemTicket: the resume ticket, <see cref="Security.ResumeTicket.Size"/> bytes.</summary>
    public ReadOnlySpan<byte> Ticket { get; init; }
    public byte Capacity { get; init; }
    public bool IsPrivate { get; init; }
    public bool Spectate { get; init; }
    public ushort Page { get; init; }
    public byte PageSize { get; init; }
    public bool OnlyJoinable { get; init; }

    // Names and passwords are read up to this length so that one too long gets a precise refusal
    // (invalid name, invalid password) instead of a malformed-message drop.
    private const int MaxFieldBytes = 255;

    /// <summary>True for the ops a client sends (0x01-0x7F): requests and chat.</summary>
    public static bool IsClientOp(byte op) => op is > (byte)RoomOp.Application and < 0x80;

    /// <summary>
    /// The request id of a message that is not parsed (refused by a rate limit, or malformed), so the
    /// answer names the request: bytes 1-2 of any op but chat, which carries none. False when absent.
    /// </summary>
    public static bool TryPeekRequestId(ReadOnlySpan<byte> message, out ushort requestId)
    {
        if (message.Length < 3 || message[0] == (byte)RoomOp.Chat)
        {
            requestId = 0;
            return false;
        }
        requestId = BinaryPrimitives.ReadUInt16LittleEndian(message.Slice(1));
        return true;
    }

    /// <summary>Parses one request; false for anything malformed (it is then dropped and counted).</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out RoomRequest request)
    {
        request = default;
        var reader = new SpanReader(message);
        var op = (RoomOp)reader.ReadByte();
        switch (op)
        {
            case RoomOp.CreateRoom:
            {
                var id = reader.ReadUInt16();
                var name = reader.ReadBytes(MaxFieldBytes);
                var capacity = reader.ReadByte();
                var flags = reader.ReadByte();
                var password = reader.ReadBytes(MaxFieldBytes);
                request = new RoomRequest { Op = op, RequestId = id, Name = name, Capacity = capacity, IsPrivate = (flags & 1) != 0, Password = password };
                break;
            }
            case RoomOp.ListRooms:
            {
                var id = reader.ReadUInt16();
                var page = reader.ReadUInt16();
                var size = reader.ReadByte();
                var flags = reader.ReadByte();
                var filter = reader.ReadBytes(MaxFieldBytes);
                request = new RoomRequest { Op = op, RequestId = id, Page = page, PageSize = size, OnlyJoinable = (flags & 1) != 0, Name = filter };
                break;
            }
            case RoomOp.JoinRoom:
            {
                var id = reader.ReadUInt16();
                var roomId = reader.ReadUInt32();
                var name = reader.ReadBytes(MaxFieldBytes);
                var password = reader.ReadBytes(MaxFieldBytes);
                var flags = reader.ReadByte();
                request = new RoomRequest { Op = op, RequestId = id, RoomId = roomId, Name = name, Password = password, Spectate = (flags & 1) != 0 };
                break;
            }
            case RoomOp.QuickMatch:
            {
                var id = reader.ReadUInt16();
                var capacity = reader.ReadByte();
                request = new RoomRequest { Op = op, RequestId = id, Capacity = capacity };
                break;
            }
            case RoomOp.LeaveRoom:
                request = new RoomRequest { Op = op, RequestId = reader.ReadUInt16() };
                break;
            case RoomOp.Chat:
                request = new RoomRequest { Op = op, Text = reader.ReadBytes(RoomLimits.MaxChatBytes) };
                break;
            case RoomOp.Resume:
            {
                var id = reader.ReadUInt16();
                var token = reader.ReadFixed(RoomLimits.ResumeTokenSize);
                request = new RoomRequest { Op = op, RequestId = id, Token = token };
                break;
            }
            case RoomOp.JoinFleetRoom:
            {
                var id = reader.ReadUInt16();
                var node = reader.ReadBytes(RoomLimits.MaxNodeIdBytes);
                var roomId = reader.ReadUInt32();
                var password = reader.ReadBytes(MaxFieldBytes);
                var flags = reader.ReadByte();
                request = new RoomRequest { Op = op, RequestId = id, NodeId = node, RoomId = roomId, Password = password, Spectate = (flags & 1) != 0 };
                break;
            }
            case RoomOp.RedeemTicket:
            {
                var id = reader.ReadUInt16();
                request = new RoomRequest { Op = op, RequestId = id, Ticket = reader.ReadFixed(Security.ResumeTicket.Size) };
                break;
            }
            default:
                return false;
        }
        return reader.IsCompleteAndValid;
    }
}
