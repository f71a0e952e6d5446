using System.Net;
using Engine.Fleet.Records;
using Engine.Host.Fleet;
using Engine.Server.Fleet;
using Xunit;

namespace Engine.Tests.Fleet;

/// <summary>How a node reads its copy of the directory when a player asks for another node's room.</summary>
public class FleetRoomsTests
{
    private const long Now = 1_800_000_000_000;

    private static NodeRecord Node(string id, string state = NodeStates.Open, int sessions = 10, params RoomRecord[] rooms) => new()
    {
        Id = id, Address = "10.0.0.6:7777", State = state, Sessions = sessions, Capacity = 100, UpdatedUnixMs = Now, TtlMs = 10_000, Rooms = [.. rooms],
    };

    private static RoomRecord Room(uint id, int players = 1, int capacity = 4, bool password = false) =>
        new() { Id = id, Name = $"room-{id}", Players = players, Capacity = capacity, HasPassword = password };

    private static FleetRoomLookup Find(NodeRecord[] nodes, string node, uint room, bool spectate = false) =>
        new FleetRooms(_ => nodes, "node-a").Find(node, room, spectate, Now);

    [Fact]
    public void An_open_nodes_room_with_a_free_slot_is_found_with_its_address_and_password_flag()
    {
        var found = Find([Node("node-b", rooms: [Room(3), Room(7, password: true)])], "node-b", 7);
        Assert.Equal(FleetRoomLookup.Found(IPEndPoint.Parse("10.0.0.6:7777"), hasPassword: true), found);
    }

    [Fact]
    public void Unknown_nodes_and_rooms_draining_nodes_and_full_rooms_or_nodes_are_told_apart()
    {
        NodeRecord[] nodes =
        [
            Node("node-b", rooms: [Room(1, players: 4)]),
            Node("node-c", NodeStates.Draining, rooms: [Room(1)]),
            Node("node-d", sessions: 100, rooms: [Room(1)]),
        ];
        Assert.Equal(FleetRoomStatus.NotFound, Find(nodes, "node-x", 1).Status);
        Assert.Equal(FleetRoomStatus.NotFound, Find(nodes, "node-b", 2).Status);
        Assert.Equal(FleetRoomStatus.Full, Find(nodes, "node-b", 1).Status);
        Assert.Equal(FleetRoomStatus.Found, Find(nodes, "node-b", 1, spectate: true).Status); // a spectator takes no slot
        Assert.Equal(FleetRoomStatus.Draining, Find(nodes, "node-c", 1).Status);
        Assert.Equal(FleetRoomStatus.Full, Find(nodes, "node-d", 1).Status);
        Assert.Equal("node-a", new FleetRooms(_ => nodes, "node-a").NodeId);
    }
}
