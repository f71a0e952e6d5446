using System.Net;
using System.Security.Cryptography;
using Engine.Client;
using Engine.Protocol.Rooms;
using Engine.Protocol.Security;
using Engine.Tests.Server;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.Fleet;

/// <summary>
/// A player moved to a room on another node, end to end: a redis-server started here, the AOT binary as
/// node-a and node-b, and SDK clients on loopback. The test only asks to join by fleet id and calls
/// Update; the client follows the redirect by itself.
/// </summary>
public class FleetMoveSmokeTests
{
    private const int TimeoutMs = 2000;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    private static string[] NodeArguments(string id, int port, int adminPort, string keyFile, string directory) =>
    [
        "--admin-port", adminPort.ToString(),
        "--bind", "127.0.0.1", "--port", port.ToString(), "--shards", "2", "--token-key-file", keyFile,
        "--directory", directory, "--node-id", id, "--directory-ttl-ms", "3000", "--timeout-ms", TimeoutMs.ToString(),
        "--handshakes-per-second-per-address", "0",
    ];

    /// <summary>A metric's value on a node's /metrics, added up over its series (shards) whose name and labels start as given.</summary>
    private static async Task<long> MetricSumAsync(int adminPort, string series)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{adminPort}/metrics");
        var name = series.Split('{')[0];
        var labels = series.Contains('{') ? series[(series.IndexOf('{') + 1)..].TrimEnd('}') : "";
        return text.Split('\n')
            .Where(line => line.StartsWith(name, StringComparison.Ordinal) && (line.Length > name.Length && line[name.Length] is ' ' or '{'))
            .Where(line => labels.Length == 0 || line.Contains(labels, StringComparison.Ordinal))
            .Sum(line => (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static EngineClient Connect(byte[] key, ulong playerId, IPEndPoint node)
    {
        var client = new EngineClient();
        client.Connect(ConnectToken.Issue(key, playerId, [node], TimeSpan.FromSeconds(30)));
        Assert.True(client.WaitUntilConnected(TimeSpan.FromSeconds(5)), $"player {playerId} could not connect to {node}: {client.DisconnectReason} {client.RejectReason}");
        return client;
    }

    private static RoomResult Await(Task<RoomResult> task, params EngineClient[] clients)
    {
        Assert.True(TestServer.PumpUntil(clients, () => task.IsCompleted, s_timeout), "no answer");
        return task.Result;
    }

    /// <summary>Joins by fleet id, asking again while node-a's copy of the directory does not list the room yet.</summary>
    private static RoomResult JoinFleet(EngineClient client, string fleetRoomId, string? password, params EngineClient[] others)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var result = Await(client.JoinFleetRoom(fleetRoomId, password), [client, .. others]);
            if (result.Status != RoomStatus.NotFound || DateTime.UtcNow > deadline || client.NodeId is not null)
            {
                return result;
            }
            Thread.Sleep(200);
        }
    }

    [Fact]
    public async Task A_player_joins_a_room_on_another_node_by_fleet_id_and_resumes_there_after_a_timeout()
    {
        using var redis = new RedisServer();
        var key = RandomNumberGenerator.GetBytes(SecurityConstants.KeySize);
        var keyFile = Path.GetTempFileName();
        File.WriteAllText(keyFile, Convert.ToHexString(key));
        var clients = new List<EngineClient>();
        EngineClient Track(EngineClient client)
        {
            clients.Add(client);
            return client;
        }
        try
        {
            var a = new IPEndPoint(IPAddress.Loopback, EngineProcess.FreeUdpPort());
            var b = new IPEndPoint(IPAddress.Loopback, EngineProcess.FreeUdpPort());
            var (adminA, adminB) = (RedisServer.FreeTcpPort(), RedisServer.FreeTcpPort());
            using var nodeA = EngineProcess.Start(NodeArguments("node-a", a.Port, adminA, keyFile, redis.Url));
            using var nodeB = EngineProcess.Start(NodeArguments("node-b", b.Port, adminB, keyFile, redis.Url));
            Assert.True(nodeA.WaitForOutput("registered as node-a", TimeSpan.FromSeconds(20)), nodeA.Output + nodeA.Error);
            Assert.True(nodeB.WaitForOutput("registered as node-b", TimeSpan.FromSeconds(20)), nodeB.Output + nodeB.Error);

            // node-b: an open room and one with a password. node-a: a lobby with its host and the player who moves.
            var hostB = Track(Connect(key, 100, b));
            var roomB = Await(hostB.CreateRoom("target", 4), hostB);
            Assert.True(roomB.Succeeded, $"{roomB.Status}");
            var lockedHost = Track(Connect(key, 101, b));
            var locked = Await(lockedHost.CreateRoom("locked", 4, password: "secret"), lockedHost);
            Assert.True(locked.Succeeded, $"{locked.Status}");
            var hostA = Track(Connect(key, 200, a));
            var roomA = Await(hostA.CreateRoom("lobby", 4), hostA);
            var mover = Track(Connect(key, 42, a));
            Assert.True(Await(mover.JoinRoom(roomA.RoomId), mover, hostA).Succeeded);
            var moverId = mover.CurrentRoom!.PlayerId;
            var leftLobby = new List<(uint PlayerId, RoomLeaveReason Reason)>();
            hostA.PlayerLeft += (player, reason) => leftLobby.Add((player.PlayerId, reason));
            var joinedB = new List<uint>();
            hostB.PlayerJoined += player => joinedB.Add(player.PlayerId);
            var nodeChanges = new List<(string NodeId, IPEndPoint Address)>();
            mover.NodeChanged += (node, address) => nodeChanges.Add((node, address));
            var moverDisconnected = false;
            mover.Disconnected += _ => moverDisconnected = true;

            // A wrong password: node-a cannot tell (the directory has no passwords), node-b refuses it.
            var stranger = Track(Connect(key, 43, a));
            Assert.Equal(RoomStatus.WrongPassword, JoinFleet(stranger, $"node-b:{locked.RoomId}", null, clients.ToArray()).Status);
            Assert.Null(stranger.NodeId); // refused on node-a already: the room asks for a password and none was given
            var wrong = JoinFleet(stranger, $"node-b:{locked.RoomId}", "guess", clients.ToArray());
            Assert.Equal(RoomStatus.WrongPassword, wrong.Status);
            Assert.Equal("node-b", stranger.NodeId);
            Assert.True(stranger.IsConnected);
            Assert.Null(stranger.CurrentRoom);

            // The move: one call, then only Update.
            var moved = JoinFleet(mover, $"node-b:{roomB.RoomId}", null, clients.ToArray());
            Assert.True(moved.Succeeded, $"the move ended with {moved.Status}; node-a: {nodeA.Output} node-b: {nodeB.Output}");
            Assert.Equal(roomB.RoomId, mover.CurrentRoom!.Id);
            Assert.Equal("target", mover.CurrentRoom.Name);
            Assert.Equal(("node-b", b), Assert.Single(nodeChanges));
            Assert.Equal(("node-b", b), (mover.NodeId, mover.RemoteEndPoint));
            Assert.True(mover.IsConnected);
            Assert.False(moverDisconnected);
            Assert.True(TestServer.PumpUntil(clients, () => leftLobby.Count > 0 && joinedB.Count > 0, s_timeout), "the rooms did not hear of the move");
            Assert.Equal((moverId, RoomLeaveReason.Moved), Assert.Single(leftLobby));
            Assert.Equal(mover.CurrentRoom.PlayerId, Assert.Single(joinedB));
            // Both hops (the stranger's refused by the room, the mover's) show on the nodes' /metrics.
            Assert.Equal(2, await MetricSumAsync(adminA, "engine_fleet_redirects_total"));
            Assert.Equal(2, await MetricSumAsync(adminB, "engine_fleet_tickets_total{result=\"redeemed\"}"));
            Assert.Equal(0, await MetricSumAsync(adminB, "engine_fleet_tickets_total{result=\"refused\"}"));
            var snapshots = mover.SnapshotsReceived;
            Assert.True(TestServer.PumpUntil(clients, () => mover.SnapshotsReceived > snapshots + 5, s_timeout), "no snapshots from node-b");

            // The mover goes silent: node-b keeps the slot; its resume token works there, and not on node-a.
            var resumeToken = mover.CurrentRoom.ResumeToken;
            var (slot, playerIdOnB) = (mover.CurrentRoom.Slot, mover.CurrentRoom.PlayerId);
            var timedOut = false;
            hostB.PlayerLeft += (player, reason) => timedOut |= player.PlayerId == playerIdOnB && reason == RoomLeaveReason.TimedOut;
            var others = clients.Where(c => c != mover).ToList();
            Assert.True(TestServer.PumpUntil(others, () => timedOut, TimeSpan.FromMilliseconds(TimeoutMs * 4)), "node-b did not time the mover out");
            var onA = Track(Connect(key, 42, a));
            Assert.Equal(RoomStatus.InvalidToken, Await(onA.Resume(resumeToken), onA).Status);
            var back = Track(Connect(key, 42, mover.RemoteEndPoint!));
            var resumed = Await(back.Resume(resumeToken), [back, .. others]);
            Assert.True(resumed.Succeeded, $"resume on node-b: {resumed.Status}");
            Assert.Equal((roomB.RoomId, slot, playerIdOnB), (back.CurrentRoom!.Id, back.CurrentRoom.Slot, back.CurrentRoom.PlayerId));
            Assert.False(nodeA.HasExited || nodeB.HasExited);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
            File.Delete(keyFile);
        }
    }
}
