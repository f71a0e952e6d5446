using System.Net;
using System.Security.Cryptography;
using Engine.Client;
using Engine.Protocol.Rooms;
using Engine.Protocol.Sessions;
using Engine.Server.Fleet;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.Client;

/// <summary>
/// The SDK's side of a redirect to another node, against two in-process servers that share a token key.
/// No Redis: node A reads a fixed copy of the directory that names node B, as its cached view of Redis
/// would. What the game sees when the hop works, when the other node refuses the join, and when it
/// cannot be reached.
/// </summary>
public class FleetRedirectClientTests
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    private TestServer Node() => new(o =>
    {
        o.Insecure = false;
        o.ConnectTokenKey = _key;
    });

    private static EngineClient Connect(TestServer node, byte[] key, ulong playerId)
    {
        var client = new EngineClient();
        client.Connect(Engine.Protocol.Security.ConnectToken.Issue(key, playerId, [node.EndPoint], TimeSpan.FromSeconds(30)));
        Assert.True(client.WaitUntilConnected(TimeSpan.FromSeconds(5)));
        return client;
    }

    private static RoomResult Await(Task<RoomResult> task, TimeSpan timeout, params EngineClient[] clients)
    {
        Assert.True(TestServer.PumpUntil(clients, () => task.IsCompleted, timeout), "no answer");
        return task.Result;
    }

    /// <summary>What one client told the game, in order.</summary>
    private static List<string> Record(EngineClient client)
    {
        var events = new List<string>();
        client.Connected += () => events.Add("connected");
        client.Disconnected += reason => events.Add($"disconnected {reason}");
        client.RoomLeft += (room, reason) => events.Add($"left {room} {reason}");
        client.NodeChanged += (node, _) => events.Add($"node {node}");
        return events;
    }

    [Fact]
    public void The_client_follows_a_redirect_by_itself_and_the_game_sees_room_events_and_NodeChanged_only()
    {
        using var a = Node();
        using var b = Node();
        var directory = new Directory("node-a");
        a.Server.JoinFleet(directory);
        using var hostB = Connect(b, _key, 1);
        var roomB = Await(hostB.CreateRoom("target", 4), TimeSpan.FromSeconds(5), hostB);
        directory.Target = FleetRoomLookup.Found(b.EndPoint, hasPassword: false);
        using var player = Connect(a, _key, 42);
        var lobby = Await(player.CreateRoom("lobby", 4), TimeSpan.FromSeconds(5), player);
        var events = Record(player);

        var moved = Await(player.JoinFleetRoom($"node-b:{roomB.RoomId}"), TimeSpan.FromSeconds(5), player, hostB);
        Assert.True(moved.Succeeded, $"{moved.Status}");
        Assert.Equal([$"left {lobby.RoomId} Moved", "node node-b"], events);
        Assert.Equal((roomB.RoomId, "node-b", b.EndPoint), (player.CurrentRoom!.Id, player.NodeId, player.RemoteEndPoint));
        Assert.True(player.IsConnected);
    }

    [Fact]
    public void A_join_the_other_node_refuses_leaves_the_client_there_in_no_room()
    {
        using var a = Node();
        using var b = Node();
        var directory = new Directory("node-a") { Target = FleetRoomLookup.Found(b.EndPoint, hasPassword: false) };
        a.Server.JoinFleet(directory);
        using var player = Connect(a, _key, 42);
        var events = Record(player);

        // The directory lists a room node B no longer has.
        var result = Await(player.JoinFleetRoom("node-b:99"), TimeSpan.FromSeconds(5), player);
        Assert.Equal((RoomStatus.NotFound, 99u), (result.Status, result.RoomId));
        Assert.Equal(["node node-b"], events);
        Assert.True(player.IsConnected);
        Assert.Null(player.CurrentRoom);
        Assert.Equal(b.EndPoint, player.RemoteEndPoint);
    }

    [Fact]
    public void A_node_that_cannot_be_reached_ends_the_join_unavailable_and_the_client_disconnected()
    {
        using var a = Node();
        var nowhere = new IPEndPoint(IPAddress.Loopback, Smoke.EngineProcess.FreeUdpPort());
        a.Server.JoinFleet(new Directory("node-a") { Target = FleetRoomLookup.Found(nowhere, hasPassword: false) });
        using var player = Connect(a, _key, 42);
        var events = Record(player);

        var result = Await(player.JoinFleetRoom("node-b:1"), TimeSpan.FromSeconds(10), player);
        Assert.Equal(RoomStatus.Unavailable, result.Status);
        Assert.Equal([$"disconnected {DisconnectReason.ConnectTimeout}"], events);
        Assert.False(player.IsConnected);
    }

    [Fact]
    public async Task A_malformed_fleet_id_is_refused_without_asking_the_server()
    {
        using var player = new EngineClient();
        foreach (var id in new[] { "node-b", ":1", "node-b:", "node-b:x", "node-b:-1", new string('n', 65) + ":1" })
        {
            var task = player.JoinFleetRoom(id);
            Assert.True(task.IsCompleted, id);
            Assert.Equal(RoomStatus.Malformed, (await task).Status);
        }
    }

    /// <summary>Node A's directory: one room elsewhere, whatever is asked.</summary>
    private sealed class Directory(string nodeId) : IFleetDirectory
    {
        public FleetRoomLookup Target { get; set; } = new(FleetRoomStatus.NotFound);

        public string NodeId => nodeId;

        public FleetRoomLookup Find(string node, uint roomId, bool spectate, long nowUnixMs) => node == "node-b" ? Target : new FleetRoomLookup(FleetRoomStatus.NotFound);
    }
}
