using System.Text;
using Engine.Protocol.Rooms;

namespace Engine.Tests.Sessions;

/// <summary>
/// A reliable room message from the server, read with the protocol's own readers
/// (<see cref="RoomEvent"/>, <see cref="RoomListReader"/>) and copied out of the message. Which
/// fields mean something depends on <see cref="Op"/>.
/// </summary>
internal sealed record RoomReply
{
    public RoomOp Op { get; init; }
    public ushort RequestId { get; init; }
    public RoomStatus Status { get; init; }
    public uint RoomId { get; init; }
    public string Name { get; init; } = "";
    public byte Capacity { get; init; }
    public byte Slot { get; init; }
    public uint PlayerId { get; init; }
    public bool Spectator { get; init; }
    public bool IsPrivate { get; init; }
    public byte[] ResumeToken { get; init; } = [];
    public ushort TickRate { get; init; }
    public ushort SnapshotRate { get; init; }
    public byte RoomEpoch { get; init; }
    public RoomLeaveReason LeaveReason { get; init; }
    public string Text { get; init; } = "";
    public byte[] Bytes { get; init; } = [];

    /// <summary>For a room list: how many rooms match in all, and this page's.</summary>
    public int Total { get; init; }
    public IReadOnlyList<Listed> Rooms { get; init; } = [];

    /// <summary>An answer to a request: a result, a joined room or a room list.</summary>
    public bool IsAnswer => Op is RoomOp.Result or RoomOp.Joined or RoomOp.RoomList;

    public static RoomReply Parse(byte[] message)
    {
        if (message.Length > 0 && (RoomOp)message[0] == RoomOp.RoomList)
        {
            return ParseList(message);
        }
        if (message.Length > 0 && (RoomOp)message[0] == RoomOp.Application)
        {
            return new RoomReply { Op = RoomOp.Application, Bytes = message };
        }
        if (!RoomEvent.TryParse(message, out var e))
        {
            throw new InvalidDataException($"not a room message: {Convert.ToHexString(message)}");
        }
        return new RoomReply
        {
            Op = e.Op, RequestId = e.RequestId, Status = e.Status, RoomId = e.RoomId, Name = Encoding.UTF8.GetString(e.Name),
            Capacity = e.Capacity, Slot = e.Slot, PlayerId = e.PlayerId, Spectator = e.Spectator, IsPrivate = e.IsPrivate,
            ResumeToken = e.ResumeToken.ToArray(), TickRate = e.TickRate, SnapshotRate = e.SnapshotRate, RoomEpoch = e.RoomEpoch, LeaveReason = e.LeaveReason, Text = Encoding.UTF8.GetString(e.Text), Bytes = message,
        };
    }

    private static RoomReply ParseList(byte[] message)
    {
        var reader = new RoomListReader(message);
        var rooms = new List<Listed>();
        while (reader.TryReadEntry(out var id, out var name, out var players, out var capacity, out var spectators, out var isPrivate, out var hasPassword))
        {
            rooms.Add(new Listed(id, Encoding.UTF8.GetString(name), players, capacity, spectators, isPrivate, hasPassword));
        }
        if (!reader.IsValid)
        {
            throw new InvalidDataException($"not a room list: {Convert.ToHexString(message)}");
        }
        return new RoomReply { Op = RoomOp.RoomList, RequestId = reader.RequestId, Total = reader.Total, Rooms = rooms, Bytes = message };
    }

    public sealed record Listed(uint Id, string Name, int Players, int Capacity, int Spectators, bool IsPrivate, bool HasPassword = false);
}
