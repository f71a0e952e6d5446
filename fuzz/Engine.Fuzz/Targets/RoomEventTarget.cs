using Engine.Protocol.Rooms;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;

namespace Engine.Fuzz.Targets;

/// <summary>
/// The client's readers of server room messages, <see cref="RoomEvent.TryParse"/> and
/// <see cref="RoomListReader"/>, on the same bytes: never throw, and what they accept survives a
/// round trip through <see cref="RoomMessages"/> (parses back to the same fields; the second
/// writing gives the same bytes).
/// </summary>
internal sealed class RoomEventTarget : FuzzTarget
{
    private readonly byte[] _first = new byte[64 * 1024];
    private readonly byte[] _second = new byte[64 * 1024];

    public override string Name => "room-event";

    public override void Run(ReadOnlySpan<byte> data)
    {
        if (RoomEvent.TryParse(data, out var e))
        {
            var length = Write(e, _first);
            Check.That(length > 0 && length <= data.Length, $"{e.Op} of {data.Length} bytes written back as {length}");
            Check.That(RoomEvent.TryParse(_first.AsSpan(0, length), out var again), $"{e.Op} written back does not parse");
            CheckSame(e, again);
            Check.Bytes(_first.AsSpan(0, length), _second.AsSpan(0, Write(again, _second)), "event written twice");
        }
        CheckRoomList(data);
    }

    private void CheckRoomList(ReadOnlySpan<byte> data)
    {
        var reader = new RoomListReader(data);
        if (!reader.IsValid)
        {
            return;
        }
        var count = data[5];
        var writer = new SpanWriter(_first);
        RoomMessages.RoomListHeader(ref writer, reader.RequestId, reader.Total, count);
        var read = 0;
        while (reader.TryReadEntry(out var roomId, out var name, out var players, out var capacity, out var spectators, out var isPrivate, out var hasPassword))
        {
            Check.That(name.Length <= RoomLimits.MaxNameBytes, $"room name of {name.Length} bytes");
            RoomMessages.RoomListEntry(ref writer, roomId, name, players, capacity, spectators, isPrivate, hasPassword);
            read++;
        }
        Check.That(read <= count, $"{read} entries read from a list of {count}");
        if (read < count)
        {
            Check.That(!reader.IsValid, "the list ended early but the reader is still valid");
            return;
        }
        // The whole list was read: reading what was written back gives the same entries.
        var written = writer.Written;
        Check.That(!writer.Overflowed && written.Length <= data.Length, "room list written back is longer");
        var first = new RoomListReader(data);
        var second = new RoomListReader(written);
        Check.That(second.IsValid, "room list written back is invalid");
        Check.Equal(first.RequestId, second.RequestId, "list request id");
        Check.Equal(first.Total, second.Total, "list total");
        for (var i = 0; i < count; i++)
        {
            first.TryReadEntry(out var id1, out var name1, out var players1, out var capacity1, out var spectators1, out var private1, out var password1);
            Check.That(second.TryReadEntry(out var id2, out var name2, out var players2, out var capacity2, out var spectators2, out var private2, out var password2), "entry written back");
            Check.Equal((id1, players1, capacity1, spectators1, private1, password1), (id2, players2, capacity2, spectators2, private2, password2), "list entry");
            Check.Bytes(name1, name2, "list entry name");
        }
    }

    private static int Write(in RoomEvent e, Span<byte> destination) => e.Op switch
    {
        RoomOp.Result => RoomMessages.Result(destination, e.RequestId, e.Status, e.RoomId),
        RoomOp.Joined => RoomMessages.Joined(destination, new JoinedRoom
        {
            RequestId = e.RequestId, RoomId = e.RoomId, Name = e.Name, Capacity = e.Capacity, Slot = e.Slot, PlayerId = e.PlayerId,
            Spectator = e.Spectator, IsPrivate = e.IsPrivate, ResumeToken = e.ResumeToken, TickRate = e.TickRate, SnapshotRate = e.SnapshotRate,
            RoomEpoch = e.RoomEpoch,
        }),
        RoomOp.PlayerJoined => RoomMessages.PlayerJoined(destination, e.Slot, e.PlayerId),
        RoomOp.PlayerLeft => RoomMessages.PlayerLeft(destination, e.Slot, e.PlayerId, e.LeaveReason),
        RoomOp.ChatMessage => RoomMessages.ChatMessage(destination, e.PlayerId, e.Text),
        RoomOp.Left => RoomMessages.Left(destination, e.RoomId, e.LeaveReason),
        RoomOp.Move => RoomMessages.Move(destination, e.ConnectionId),
        RoomOp.Redirect => RoomMessages.Redirect(destination, new RedirectTarget
        {
            RequestId = e.RequestId, NodeId = e.NodeId, RoomId = e.RoomId, Address = e.Address, ConnectToken = e.ConnectToken, Ticket = e.Ticket,
        }),
        _ => Fail(e.Op),
    };

    private static int Fail(RoomOp op)
    {
        Check.Fail($"TryParse accepted an event with op {op}");
        return 0;
    }

    private static void CheckSame(in RoomEvent a, in RoomEvent b)
    {
        Check.Equal(a.Op, b.Op, "op");
        Check.Equal(a.RequestId, b.RequestId, "request id");
        Check.Equal(a.Status, b.Status, "status");
        Check.Equal(a.RoomId, b.RoomId, "room id");
        Check.Bytes(a.Name, b.Name, "name");
        Check.Equal(a.Capacity, b.Capacity, "capacity");
        Check.Equal(a.Slot, b.Slot, "slot");
        Check.Equal(a.PlayerId, b.PlayerId, "player id");
        Check.Equal(a.Spectator, b.Spectator, "spectator");
        Check.Equal(a.IsPrivate, b.IsPrivate, "private");
        Check.Bytes(a.ResumeToken, b.ResumeToken, "resume token");
        Check.Equal(a.TickRate, b.TickRate, "tick rate");
        Check.Equal(a.SnapshotRate, b.SnapshotRate, "snapshot rate");
        Check.Equal(a.RoomEpoch, b.RoomEpoch, "room epoch");
        Check.Equal(a.LeaveReason, b.LeaveReason, "leave reason");
        Check.Bytes(a.Text, b.Text, "text");
        Check.Equal(a.ConnectionId, b.ConnectionId, "connection id");
        Check.Bytes(a.NodeId, b.NodeId, "node id");
        Check.Bytes(a.Address, b.Address, "address");
        Check.Bytes(a.ConnectToken, b.ConnectToken, "connect token");
        Check.Bytes(a.Ticket, b.Ticket, "ticket");
    }

    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        var buffer = new byte[1024];
        var token = ConnectionTarget.FilledBytes(RoomLimits.ResumeTokenSize, 9);
        yield return ("result", buffer.AsSpan(0, RoomMessages.Result(buffer, 3, RoomStatus.Full, 42)).ToArray());
        yield return ("joined", buffer.AsSpan(0, RoomMessages.Joined(buffer, new JoinedRoom
        {
            RequestId = 1, RoomId = 42, Name = "arena"u8, Capacity = 8, Slot = 2, PlayerId = 1001, Spectator = false, IsPrivate = true,
            ResumeToken = token, TickRate = 60, SnapshotRate = 20, RoomEpoch = 1,
        })).ToArray());
        yield return ("player-joined", buffer.AsSpan(0, RoomMessages.PlayerJoined(buffer, 3, 1002)).ToArray());
        yield return ("player-left", buffer.AsSpan(0, RoomMessages.PlayerLeft(buffer, 3, 1002, RoomLeaveReason.TimedOut)).ToArray());
        yield return ("chat", buffer.AsSpan(0, RoomMessages.ChatMessage(buffer, 1002, "hi"u8)).ToArray());
        yield return ("left", buffer.AsSpan(0, RoomMessages.Left(buffer, 42, RoomLeaveReason.Kicked)).ToArray());
        yield return ("migrate", buffer.AsSpan(0, RoomMessages.Move(buffer, 0x8F3A2C51D7E40B02)).ToArray());
        var address = new byte[SecurityConstants.AddressSize];
        TokenAddress.Write(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 7778), address);
        yield return ("redirect", buffer.AsSpan(0, RoomMessages.Redirect(buffer, new RedirectTarget
        {
            RequestId = 4, NodeId = "node-b"u8, RoomId = 12, Address = address, ConnectToken = TokenTarget.SeedToken().ToBytes(), Ticket = TicketTarget.SeedTicket(),
        })).ToArray());
        var writer = new SpanWriter(buffer);
        RoomMessages.RoomListHeader(ref writer, 9, 12, 2);
        RoomMessages.RoomListEntry(ref writer, 42, "arena"u8, 3, 8, 1, false, false);
        RoomMessages.RoomListEntry(ref writer, 43, "duel"u8, 1, 2, 0, true, true);
        yield return ("room-list", writer.Written.ToArray());
    }
}
