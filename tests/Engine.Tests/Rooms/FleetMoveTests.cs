using System.Net;
using System.Security.Cryptography;
using System.Text;
using Engine.Protocol.Rooms;
using Engine.Protocol.Security;
using Engine.Server.Fleet;
using Engine.Server.Security;
using Engine.Server.Sessions;
using Engine.Tests.Sessions;
using Xunit;

namespace Engine.Tests.Rooms;

/// <summary>
/// Moving a player to a room on another node, without a socket: two nodes' room services (each a
/// <see cref="RoomHarness"/> with its shard's <see cref="FleetMoves"/>), one token key, a directory the
/// test writes and a wall clock it moves. Node A answers a join by fleet id with a Redirect; node B
/// accepts the ticket from it once, from that player only, and seats them by its ordinary rules.
/// </summary>
public class FleetMoveTests
{
    private const ulong Player = 42;
    private static readonly IPEndPoint s_nodeA = new(IPAddress.Parse("127.0.0.1"), 7777);
    private static readonly IPEndPoint s_nodeB = new(IPAddress.Parse("127.0.0.2"), 7778);

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(SecurityConstants.KeySize);
    private readonly WallClock _clock = new();
    private readonly StubDirectory _directory = new("node-a");
    private readonly FleetLink _linkA = new();
    private readonly FleetLink _linkB = new();
    private readonly RoomHarness _a;
    private readonly RoomHarness _b;

    public FleetMoveTests()
    {
        _linkA.Directory = _directory;
        _linkB.Directory = new StubDirectory("node-b");
        _a = new RoomHarness(fleet: _ => new FleetMoves(_linkA, _key, 0, new UsedTicketTable(64), ServerIdentity.For(s_nodeA), _clock));
        var usedOnB = new UsedTicketTable(64);
        _b = new RoomHarness(shards: 2, fleet: _ => new FleetMoves(_linkB, _key, 0, usedOnB, ServerIdentity.For(s_nodeB), _clock));
    }

    /// <summary>A room on node B with its host, listed in node A's copy of the directory.</summary>
    private (Session Host, uint RoomId) RoomOnB(string name, string password = "", int capacity = 4)
    {
        var host = _b.Connect(tokenPlayerId: 1000);
        var created = _b.Create(host, name, capacity, password: password);
        Assert.Equal(RoomOp.Joined, created.Op);
        _directory.Rooms[("node-b", created.RoomId)] = FleetRoomLookup.Found(s_nodeB, password.Length > 0);
        return (host, created.RoomId);
    }

    private static (ushort RequestId, List<RoomReply> Replies) JoinFleet(RoomHarness node, Session session, string nodeId, uint roomId, string password = "", bool spectate = false) =>
        node.Ask(session, (b, id) => RoomMessages.JoinFleetRoom(b, id, Encoding.UTF8.GetBytes(nodeId), roomId, Encoding.UTF8.GetBytes(password), spectate));

    private static (ushort RequestId, List<RoomReply> Replies) Redeem(RoomHarness node, Session session, byte[] ticket) =>
        node.Ask(session, (b, id) => RoomMessages.RedeemTicket(b, id, ticket));

    /// <summary>The redirect's token and ticket, copied out of the message.</summary>
    private static (ConnectToken Token, byte[] Ticket, IPEndPoint Address, string NodeId, uint RoomId) ReadRedirect(RoomReply reply)
    {
        Assert.Equal(RoomOp.Redirect, reply.Op);
        Assert.True(RoomEvent.TryParse(reply.Bytes, out var e));
        Assert.True(ConnectToken.TryRead(e.ConnectToken, out var token));
        return (token!, e.Ticket.ToArray(), TokenAddress.Read(e.Address)!, Encoding.UTF8.GetString(e.NodeId), e.RoomId);
    }

    /// <summary>A player of node A in a room with a host, asking for <paramref name="roomId"/> on node B: the redirect, and the host.</summary>
    private (Session Guest, Session HostA, uint RoomA, RoomReply Redirect) RedirectFromA(uint roomId, string password = "")
    {
        var (hostA, roomA) = _a.Host("lobby");
        var guest = _a.Connect(tokenPlayerId: Player);
        Assert.Equal(RoomOp.Joined, _a.Join(guest, roomA).Op);
        var from = _a.Mark;
        var (id, replies) = JoinFleet(_a, guest, "node-b", roomId, password);
        Assert.Equal([RoomOp.Left, RoomOp.Redirect], replies.Select(r => r.Op));
        Assert.Equal((roomA, RoomLeaveReason.Moved), (replies[0].RoomId, replies[0].LeaveReason));
        Assert.Equal(id, replies[1].RequestId);
        var left = Assert.Single(_a.Heard(hostA, from, RoomOp.PlayerLeft));
        Assert.Equal((guest.PlayerId, RoomLeaveReason.Moved), (left.PlayerId, left.LeaveReason));
        return (guest, hostA, roomA, replies[1]);
    }

    [Fact]
    public void A_room_on_another_node_is_a_redirect_and_its_ticket_seats_the_player_there()
    {
        var (hostB, roomB) = RoomOnB("arena");
        var (guest, _, _, reply) = RedirectFromA(roomB);
        Assert.Null(guest.Room);
        Assert.Equal(1, _a.Counters[0].FleetRedirects);
        var (token, ticket, address, nodeId, roomId) = ReadRedirect(reply);
        Assert.Equal((s_nodeB, "node-b", roomB), (address, nodeId, roomId));
        Assert.Equal(Player, token.PlayerId);
        Assert.Equal(s_nodeB, Assert.Single(token.ServerAddresses));
        Assert.InRange(token.ExpireUnixSeconds - _clock.GetUtcNow().ToUnixTimeSeconds(), 1, FleetMoves.RedirectLifetimeSeconds);

        // On node B the player's new session (the token's player id) presents the ticket and is seated.
        var arrived = _b.Connect(tokenPlayerId: Player);
        var from = _b.Mark;
        var (id, replies) = Redeem(_b, arrived, ticket);
        var joined = replies[0];
        Assert.Equal((RoomOp.Joined, id, roomB, "arena"), (joined.Op, joined.RequestId, joined.RoomId, joined.Name));
        Assert.Equal(hostB.Room, arrived.Room);
        Assert.Single(_b.Heard(hostB, from, RoomOp.PlayerJoined));
        Assert.Equal(1, _b.Counters[0].TicketsRedeemed);
    }

    [Fact]
    public void A_ticket_is_used_once_by_its_player_on_its_node_before_it_expires()
    {
        var (_, roomB) = RoomOnB("arena");
        var ticket = ReadRedirect(RedirectFromA(roomB).Redirect).Ticket;
        (RoomStatus Status, RoomOp Op) Present(RoomHarness node, ulong tokenPlayerId, byte[] bytes)
        {
            var answer = Redeem(node, node.Connect(tokenPlayerId: tokenPlayerId), bytes).Replies[0];
            return (answer.Status, answer.Op);
        }

        Assert.Equal((RoomStatus.InvalidTicket, RoomOp.Result), Present(_b, Player + 1, ticket)); // another player's session
        Assert.Equal((RoomStatus.InvalidTicket, RoomOp.Result), Present(_a, Player, ticket)); // another node
        var tampered = (byte[])ticket.Clone();
        tampered[^1] ^= 1;
        Assert.Equal((RoomStatus.InvalidTicket, RoomOp.Result), Present(_b, Player, tampered));
        Assert.Equal((RoomStatus.Ok, RoomOp.Joined), Present(_b, Player, ticket)); // the refusals did not spend it
        Assert.Equal((RoomStatus.InvalidTicket, RoomOp.Result), Present(_b, Player, ticket)); // but this did
        Assert.Equal(4, _b.Counters.Sum(c => c.TicketsRefused) + _a.Counters[0].TicketsRefused);

        var late = ReadRedirect(JoinFleet(_a, _a.Connect(tokenPlayerId: Player), "node-b", roomB).Replies.Single()).Ticket;
        _clock.Advance(TimeSpan.FromSeconds(FleetMoves.RedirectLifetimeSeconds + 1));
        Assert.Equal((RoomStatus.InvalidTicket, RoomOp.Result), Present(_b, Player, late));
    }

    [Fact]
    public void The_node_the_room_is_on_checks_the_password()
    {
        var (_, roomB) = RoomOnB("private", password: "secret");
        var (_, roomA) = _a.Host("lobby");
        var guest = _a.Connect(tokenPlayerId: Player);
        Assert.Equal(RoomOp.Joined, _a.Join(guest, roomA).Op);

        // No password for a room that has one: refused at once, and the player stays where they are.
        var refused = Assert.Single(JoinFleet(_a, guest, "node-b", roomB).Replies);
        Assert.Equal((RoomOp.Result, RoomStatus.WrongPassword, roomB), (refused.Op, refused.Status, refused.RoomId));
        Assert.Equal(roomA, guest.Room!.Id);

        // A wrong one only node B can tell.
        var wrong = ReadRedirect(JoinFleet(_a, guest, "node-b", roomB, "guess").Replies[1]).Ticket;
        var answer = Redeem(_b, _b.Connect(tokenPlayerId: Player), wrong).Replies.Single();
        Assert.Equal((RoomOp.Result, RoomStatus.WrongPassword, roomB), (answer.Op, answer.Status, answer.RoomId));

        var right = ReadRedirect(JoinFleet(_a, _a.Connect(tokenPlayerId: Player), "node-b", roomB, "secret").Replies.Single()).Ticket;
        Assert.Equal(RoomOp.Joined, Redeem(_b, _b.Connect(tokenPlayerId: Player), right).Replies[0].Op);
    }

    [Theory]
    [InlineData(FleetRoomStatus.NotFound, RoomStatus.NotFound)]
    [InlineData(FleetRoomStatus.Draining, RoomStatus.Draining)]
    [InlineData(FleetRoomStatus.Full, RoomStatus.Full)]
    public void A_room_that_cannot_take_the_player_is_refused_and_the_player_stays(FleetRoomStatus found, RoomStatus status)
    {
        _directory.Rooms[("node-b", 9)] = new FleetRoomLookup(found);
        var (_, roomA) = _a.Host("lobby");
        var guest = _a.Connect(tokenPlayerId: Player);
        _a.Join(guest, roomA);
        var (id, replies) = JoinFleet(_a, guest, "node-b", 9);
        var answer = Assert.Single(replies);
        Assert.Equal((RoomOp.Result, id, status, 9u), (answer.Op, answer.RequestId, answer.Status, answer.RoomId));
        Assert.Equal(roomA, guest.Room!.Id);
        Assert.Equal(RoomStatus.NotFound, Assert.Single(JoinFleet(_a, guest, "node-x", 1).Replies).Status); // a node nobody registered
    }

    [Fact]
    public void This_nodes_own_fleet_id_is_an_ordinary_join()
    {
        var (_, roomA) = _a.Host("lobby");
        var (id, replies) = JoinFleet(_a, _a.Connect(tokenPlayerId: Player), "node-a", roomA);
        Assert.Equal((RoomOp.Joined, id, roomA), (replies[0].Op, replies[0].RequestId, replies[0].RoomId));
        Assert.Equal(0, _a.Counters[0].FleetRedirects);
    }

    [Fact]
    public void Without_a_fleet_or_a_token_key_a_node_says_unavailable()
    {
        _linkA.Directory = null;
        var player = _a.Connect(tokenPlayerId: Player);
        Assert.Equal(RoomStatus.Unavailable, Assert.Single(JoinFleet(_a, player, "node-b", 1).Replies).Status);

        var insecure = new RoomHarness();
        var session = insecure.Connect();
        Assert.Equal(RoomStatus.Unavailable, Assert.Single(JoinFleet(insecure, session, "node-b", 1).Replies).Status);
        Assert.Equal(RoomStatus.Unavailable, Assert.Single(Redeem(insecure, session, new byte[ResumeTicket.Size]).Replies).Status);
    }

    [Fact]
    public void After_a_move_the_slot_is_kept_on_the_new_node_and_its_resume_token_works_there_only()
    {
        var (_, roomB) = RoomOnB("arena");
        var (_, _, _, reply) = RedirectFromA(roomB);
        var arrived = _b.Connect(tokenPlayerId: Player);
        var joined = Redeem(_b, arrived, ReadRedirect(reply).Ticket).Replies[0];
        Assert.Equal(RoomOp.Joined, joined.Op);

        _b.TimeOut(arrived);
        Assert.Equal(RoomStatus.InvalidToken, _a.Resume(_a.Connect(tokenPlayerId: Player), joined.ResumeToken).Status);
        var back = _b.Resume(_b.Connect(tokenPlayerId: Player), joined.ResumeToken);
        Assert.Equal((RoomOp.Joined, roomB, joined.Slot, joined.PlayerId), (back.Op, back.RoomId, back.Slot, back.PlayerId));
    }

    /// <summary>A wall clock the test sets.</summary>
    private sealed class WallClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    /// <summary>The directory as the test writes it.</summary>
    private sealed class StubDirectory(string nodeId) : IFleetDirectory
    {
        public Dictionary<(string Node, uint Room), FleetRoomLookup> Rooms { get; } = new();

        public string NodeId => nodeId;

        public FleetRoomLookup Find(string node, uint roomId, bool spectate, long nowUnixMs) =>
            Rooms.TryGetValue((node, roomId), out var found) ? found : new FleetRoomLookup(FleetRoomStatus.NotFound);
    }
}
