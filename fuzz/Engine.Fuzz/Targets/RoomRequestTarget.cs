using Engine.Protocol.Rooms;

namespace Engine.Fuzz.Targets;

/// <summary>
/// <see cref="RoomRequest.TryParse"/> (the server reads every client's room requests with it):
/// never throws, and what it accepts survives a round trip through <see cref="RoomMessages"/>:
/// written back, it parses to the same request, and writing that again gives the same bytes (the
/// wire form may be looser than the writer's, e.g. long varints or unused flag bits, never longer).
/// </summary>
internal sealed class RoomRequestTarget : FuzzTarget
{
    private readonly byte[] _first = new byte[4096];
    private readonly byte[] _second = new byte[4096];

    public override string Name => "room-request";

    public override void Run(ReadOnlySpan<byte> data)
    {
        if (!RoomRequest.TryParse(data, out var request))
        {
            return;
        }
        var length = Write(request, _first);
        Check.That(length > 0 && length <= data.Length, $"{request.Op} of {data.Length} bytes written back as {length}");
        Check.That(RoomRequest.TryParse(_first.AsSpan(0, length), out var again), $"{request.Op} written back does not parse");
        CheckSame(request, again);
        Check.Bytes(_first.AsSpan(0, length), _second.AsSpan(0, Write(again, _second)), "request written twice");
    }

    private static int Write(in RoomRequest r, Span<byte> destination) => r.Op switch
    {
        RoomOp.CreateRoom => RoomMessages.CreateRoom(destination, r.RequestId, r.Name, r.Capacity, r.IsPrivate, r.Password),
        RoomOp.ListRooms => RoomMessages.ListRooms(destination, r.RequestId, r.Page, r.PageSize, r.OnlyJoinable, r.Name),
        RoomOp.JoinRoom => RoomMessages.JoinRoom(destination, r.RequestId, r.RoomId, r.Name, r.Password, r.Spectate),
        RoomOp.QuickMatch => RoomMessages.QuickMatch(destination, r.RequestId, r.Capacity),
        RoomOp.LeaveRoom => RoomMessages.LeaveRoom(destination, r.RequestId),
        RoomOp.Chat => RoomMessages.Chat(destination, r.Text),
        RoomOp.Resume => RoomMessages.Resume(destination, r.RequestId, r.Token),
        RoomOp.JoinFleetRoom => RoomMessages.JoinFleetRoom(destination, r.RequestId, r.NodeId, r.RoomId, r.Password, r.Spectate),
        RoomOp.RedeemTicket => RoomMessages.RedeemTicket(destination, r.RequestId, r.Ticket),
        _ => Fail(r.Op),
    };

    private static int Fail(RoomOp op)
    {
        Check.Fail($"TryParse accepted a request with op {op}");
        return 0;
    }

    private static void CheckSame(in RoomRequest a, in RoomRequest b)
    {
        Check.Equal(a.Op, b.Op, "op");
        Check.Equal(a.RequestId, b.RequestId, "request id");
        Check.Equal(a.RoomId, b.RoomId, "room id");
        Check.Bytes(a.Name, b.Name, "name");
        Check.Bytes(a.Password, b.Password, "password");
        Check.Bytes(a.Text, b.Text, "text");
        Check.Bytes(a.Token, b.Token, "token");
        Check.Bytes(a.NodeId, b.NodeId, "node id");
        Check.Bytes(a.Ticket, b.Ticket, "ticket");
        Check.Equal(a.Capacity, b.Capacity, "capacity");
        Check.Equal(a.IsPrivate, b.IsPrivate, "private");
        Check.Equal(a.Spectate, b.Spectate, "spectate");
        Check.Equal(a.Page, b.Page, "page");
        Check.Equal(a.PageSize, b.PageSize, "page size");
        Check.Equal(a.OnlyJoinable, b.OnlyJoinable, "only joinable");
    }

    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        var buffer = new byte[512];
        yield return ("create", buffer.AsSpan(0, RoomMessages.CreateRoom(buffer, 1, "arena"u8, 8, true, "hunter2"u8)).ToArray());
        yield return ("list", buffer.AsSpan(0, RoomMessages.ListRooms(buffer, 2, 0, 20, true, "are"u8)).ToArray());
        yield return ("join", buffer.AsSpan(0, RoomMessages.JoinRoom(buffer, 3, 42, default, "hunter2"u8, false)).ToArray());
        yield return ("join-by-name-spectate", buffer.AsSpan(0, RoomMessages.JoinRoom(buffer, 4, 0, "arena"u8, default, true)).ToArray());
        yield return ("quick-match", buffer.AsSpan(0, RoomMessages.QuickMatch(buffer, 5, 0)).ToArray());
        yield return ("leave", buffer.AsSpan(0, RoomMessages.LeaveRoom(buffer, 6)).ToArray());
        yield return ("chat", buffer.AsSpan(0, RoomMessages.Chat(buffer, "gg wp \u00e9"u8)).ToArray());
        yield return ("resume", buffer.AsSpan(0, RoomMessages.Resume(buffer, 7, ConnectionTarget.FilledBytes(RoomLimits.ResumeTokenSize, 1))).ToArray());
        yield return ("join-fleet-room", buffer.AsSpan(0, RoomMessages.JoinFleetRoom(buffer, 8, "node-b"u8, 12, "hunter2"u8, false)).ToArray());
        yield return ("redeem-ticket", buffer.AsSpan(0, RoomMessages.RedeemTicket(buffer, 9, TicketTarget.SeedTicket())).ToArray());
    }
}
