using Engine.Fleet.Placement;
using Engine.Fleet.Records;
using Xunit;

namespace Engine.Tests.Fleet;

/// <summary>Fleet-wide placement over directory records, without Redis: fullest fitting room, least-loaded node, and the nodes never chosen.</summary>
public class MatchmakerTests
{
    private const long Now = 1_000_000;

    internal static NodeRecord Node(string id, int sessions = 0, string state = NodeStates.Open, string mode = "arena", int capacity = 1000,
        Dictionary<string, string>? labels = null, int overload = 0, params RoomRecord[] rooms) => new()
    {
        Id = id,
        Address = "127.0.0.1:7777",
        State = state,
        Mode = mode,
        Sessions = sessions,
        Capacity = capacity,
        RoomCapacity = 16,
        MaxRoomCapacity = 64,
        Overload = overload,
        Labels = labels ?? new(),
        UpdatedUnixMs = Now,
        TtlMs = 10_000,
        Rooms = rooms.ToList(),
    };

    internal static RoomRecord Room(uint id, int players, int capacity = 16, bool isPrivate = false, bool password = false) =>
        new() { Id = id, Name = $"room-{id}", Players = players, Capacity = capacity, Private = isPrivate, HasPassword = password, Mode = "arena" };

    private static MatchRequest Any(int capacity = 0) => new(capacity, "", new Dictionary<string, string>());

    [Fact]
    public void The_fullest_fitting_room_in_the_fleet_wins_over_emptier_ones_and_over_full_private_or_other_capacity_rooms()
    {
        var matchmaker = new Matchmaker(new PendingSeats(3000));
        NodeRecord[] nodes =
        [
            Node("a", rooms: [Room(1, 5), Room(2, 16), Room(3, 15, isPrivate: true), Room(4, 14, password: true)]),
            Node("b", rooms: [Room(7, 9), Room(8, 30, capacity: 32)]),
        ];
        var placement = matchmaker.Place(nodes, Any(), Now);
        Assert.Equal(("b", 7u), (placement!.Node.Id, placement.Room!.Id));
        Assert.Equal(16, placement.Capacity);

        var bigger = matchmaker.Place(nodes, Any(32), Now);
        Assert.Equal(("b", 8u), (bigger!.Node.Id, bigger.Room!.Id));
    }

    [Fact]
    public void Promised_seats_count_so_a_burst_fills_a_room_to_its_capacity_and_then_opens_one_on_the_least_loaded_node()
    {
        var matchmaker = new Matchmaker(new PendingSeats(3000));
        NodeRecord[] nodes = [Node("a", sessions: 14, rooms: [Room(1, 14)]), Node("b", sessions: 3)];
        Assert.Equal(1u, matchmaker.Place(nodes, Any(), Now)!.Room!.Id);
        Assert.Equal(1u, matchmaker.Place(nodes, Any(), Now)!.Room!.Id);
        var third = matchmaker.Place(nodes, Any(), Now)!;
        Assert.Null(third.Room);
        Assert.Equal("b", third.Node.Id);
        Assert.Equal(16, third.Capacity);
        // Once the window passes, the promises are forgotten: the directory's counts stand alone.
        Assert.Equal(1u, matchmaker.Place(nodes, Any(), Now + 3001)!.Room!.Id);
    }

    [Fact]
    public void New_rooms_alternate_between_equally_loaded_nodes()
    {
        var matchmaker = new Matchmaker(new PendingSeats(3000));
        NodeRecord[] nodes = [Node("a"), Node("b")];
        var chosen = Enumerable.Range(0, 10).Select(_ => matchmaker.Place(nodes, Any(), Now)!.Node.Id).ToList();
        Assert.Equal(5, chosen.Count(id => id == "a"));
        Assert.Equal(5, chosen.Count(id => id == "b"));
    }

    [Fact]
    public void Draining_expired_full_overloaded_and_unfitting_nodes_are_never_chosen_while_another_fits()
    {
        var matchmaker = new Matchmaker(new PendingSeats(3000));
        var eu = new Dictionary<string, string> { ["region"] = "eu" };
        var expired = Node("expired", labels: eu);
        NodeRecord[] nodes =
        [
            Node("draining", state: NodeStates.Draining, labels: eu, rooms: [Room(1, 15)]),
            Node("full", sessions: 1000, labels: eu, rooms: [Room(1, 15)]),
            Node("other-mode", mode: "racing", labels: eu),
            Node("us", labels: new() { ["region"] = "us" }),
            new NodeRecord { Id = expired.Id, Address = expired.Address, State = NodeStates.Open, Mode = "arena", Capacity = 1000, RoomCapacity = 16, MaxRoomCapacity = 64, Labels = eu, UpdatedUnixMs = Now - 20_000, TtlMs = 10_000 },
            Node("hot", overload: 2, labels: eu),
            Node("fits", sessions: 900, labels: eu),
        ];
        var request = new MatchRequest(0, "arena", eu);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("fits", matchmaker.Place(nodes, request, Now)!.Node.Id);
        }
        Assert.Null(matchmaker.Place(nodes, new MatchRequest(128, "arena", eu), Now)); // over every node's largest room
        Assert.Null(matchmaker.Place([nodes[0]], request, Now));
    }

    [Fact]
    public void Join_by_id_refuses_unknown_rooms_draining_nodes_and_full_rooms()
    {
        var matchmaker = new Matchmaker(new PendingSeats(3000));
        NodeRecord[] nodes = [Node("a", rooms: [Room(1, 15), Room(2, 16)]), Node("d", state: NodeStates.Draining, rooms: [Room(1, 1)])];
        Assert.Equal(JoinOutcome.NotFound, matchmaker.Join(nodes, "a", 9, Now, out _, out _));
        Assert.Equal(JoinOutcome.NotFound, matchmaker.Join(nodes, "zz", 1, Now, out _, out _));
        Assert.Equal(JoinOutcome.NodeDraining, matchmaker.Join(nodes, "d", 1, Now, out _, out _));
        Assert.Equal(JoinOutcome.Full, matchmaker.Join(nodes, "a", 2, Now, out _, out _));
        Assert.Equal(JoinOutcome.Ok, matchmaker.Join(nodes, "a", 1, Now, out var node, out var room));
        Assert.Equal(("a", 1u), (node!.Id, room!.Id));
        Assert.Equal(JoinOutcome.Full, matchmaker.Join(nodes, "a", 1, Now, out _, out _)); // the last seat is promised
    }

    [Theory]
    [InlineData("node-a:12", "node-a", 12u)]
    [InlineData("pod.eu-1_x:0", "pod.eu-1_x", 0u)]
    public void Room_ids_name_the_node_and_its_room(string text, string node, uint room)
    {
        Assert.True(NodeIds.TryParseRoomId(text, out var parsedNode, out var parsedRoom));
        Assert.Equal((node, room), (parsedNode, parsedRoom));
        Assert.Equal(text, NodeIds.RoomId(node, room));
    }

    [Theory]
    [InlineData("12")]
    [InlineData(":12")]
    [InlineData("a b:1")]
    [InlineData("a:-1")]
    [InlineData("a:x")]
    public void Malformed_room_ids_are_refused(string text) => Assert.False(NodeIds.TryParseRoomId(text, out _, out _));
}
