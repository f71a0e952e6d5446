using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Engine.Client;
using Engine.Protocol.Sessions;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.Fleet;

/// <summary>
/// The fleet end to end with the real AOT binary: a redis-server started here, two `engine` nodes and
/// `engine backend`. Players are placed through the backend's HTTP API and play over UDP on loopback.
/// </summary>
public class FleetSmokeTests
{
    private const int Players = 200;
    private const int RoomCapacity = 16;
    private const int TtlMs = 3000;
    private const int DrainSeconds = 4;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>One simulated player: a ticket from the backend, then a client that connects with it and does what it says.</summary>
    private sealed class Player(ulong id, JsonElement ticket) : IDisposable
    {
        private Task<RoomResult>? _join;
        private bool _quickMatched;

        public ulong Id { get; } = id;
        public string NodeId { get; } = ticket.GetProperty("nodeId").GetString()!;
        public EngineClient Client { get; } = Connect(ticket.GetProperty("token").GetString()!);
        public bool InRoom => Client.CurrentRoom is not null;

        private static EngineClient Connect(string token)
        {
            var client = new EngineClient();
            client.Connect(token);
            return client;
        }

        /// <summary>Joins the room the ticket names, or quick matches when it names none or that room filled up meanwhile.</summary>
        public void Step()
        {
            Client.Update();
            if (!Client.IsConnected || InRoom)
            {
                return;
            }
            if (_join is null)
            {
                _join = ticket.GetProperty("action").GetString() == "join"
                    ? Client.JoinRoom(ticket.GetProperty("room").GetUInt32())
                    : Client.QuickMatch(ticket.GetProperty("capacity").GetInt32());
                _quickMatched = ticket.GetProperty("action").GetString() != "join";
            }
            else if (_join.IsCompleted && !_join.Result.Succeeded && !_quickMatched)
            {
                _join = Client.QuickMatch(ticket.GetProperty("capacity").GetInt32());
                _quickMatched = true;
            }
        }

        public void Dispose() => Client.Dispose();
    }

    private static bool PumpUntil(IReadOnlyList<Player> players, Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var player in players)
            {
                player.Step();
            }
            if (condition())
            {
                return true;
            }
            Thread.Sleep(2);
        }
        return false;
    }

    private static async Task<Player> MatchmakeAsync(BackendClient backend, ulong id)
    {
        var (status, ticket) = await backend.MatchmakeAsync(id, RoomCapacity);
        Assert.True(status == HttpStatusCode.OK, $"matchmake for player {id}: {status} {ticket}");
        return new Player(id, ticket);
    }

    /// <summary>Players per node as the directory lists them (public rooms of every node).</summary>
    private static async Task<Dictionary<string, (int Players, int Rooms, int FullRooms)>> DirectoryCountsAsync(BackendClient backend)
    {
        var (status, page) = await backend.RoomsAsync("?pageSize=100");
        Assert.Equal(HttpStatusCode.OK, status);
        return page.GetProperty("rooms").EnumerateArray()
            .GroupBy(r => r.GetProperty("nodeId").GetString()!)
            .ToDictionary(g => g.Key, g => (g.Sum(r => r.GetProperty("players").GetInt32()), g.Count(),
                g.Count(r => r.GetProperty("players").GetInt32() == r.GetProperty("capacity").GetInt32())));
    }

    private static string[] NodeArguments(string id, int port, int adminPort, string keyFile, string directory) =>
    [
        "--bind", "127.0.0.1", "--port", port.ToString(), "--shards", "1", "--token-key-file", keyFile,
        "--directory", directory, "--node-id", id, "--node-labels", "region=test", "--directory-ttl-ms", TtlMs.ToString(),
        "--handshakes-per-second-per-address", "0", "--max-sessions", "256", "--default-room-capacity", RoomCapacity.ToString(),
        "--admin-port", adminPort.ToString(), "--drain-timeout-seconds", DrainSeconds.ToString(),
    ];

    [Fact]
    public async Task Two_nodes_fill_rooms_through_the_backend_survive_a_redis_restart_a_killed_nodes_players_land_on_the_other_and_a_drain_tells_them_why()
    {
        using var redis = new RedisServer();
        var keyFile = Path.GetTempFileName();
        var apiKeyFile = Path.GetTempFileName();
        var apiKey = BackendClient.NewApiKey();
        File.WriteAllText(keyFile, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        File.WriteAllText(apiKeyFile, apiKey);
        var httpPort = RedisServer.FreeTcpPort();
        var adminA = RedisServer.FreeTcpPort();
        var adminB = RedisServer.FreeTcpPort();
        var players = new List<Player>();
        try
        {
            using var nodeA = EngineProcess.Start(NodeArguments("node-a", EngineProcess.FreeUdpPort(), adminA, keyFile, redis.Url));
            using var nodeB = EngineProcess.Start(NodeArguments("node-b", EngineProcess.FreeUdpPort(), adminB, keyFile, redis.Url));
            using var backendProcess = EngineProcess.Start(["backend", "--directory", redis.Url, "--token-key-file", keyFile, "--api-key-file", apiKeyFile, "--http", $"127.0.0.1:{httpPort}"]);
            Assert.True(nodeA.WaitForOutput("registered as node-a", TimeSpan.FromSeconds(20)), nodeA.Output + nodeA.Error);
            Assert.True(nodeB.WaitForOutput("registered as node-b", TimeSpan.FromSeconds(20)), nodeB.Output + nodeB.Error);
            Assert.True(backendProcess.WaitForOutput("backend on", TimeSpan.FromSeconds(20)), backendProcess.Output + backendProcess.Error);
            using var backend = new BackendClient($"http://127.0.0.1:{httpPort}", apiKey);
            Assert.True(await DirectoryTests.WaitForAsync(async () => (await backend.RoomsAsync()).Status == HttpStatusCode.OK));
            await Task.Delay(500); // the backend's view has read both registrations

            // 200 players matchmake through the backend while the earlier ones connect and play.
            for (ulong id = 1; id <= Players; id++)
            {
                players.Add(await MatchmakeAsync(backend, id));
                foreach (var player in players)
                {
                    player.Step();
                }
            }
            Assert.True(PumpUntil(players, () => players.All(p => p.InRoom), s_timeout),
                $"{players.Count(p => p.InRoom)} of {Players} players in a room");
            Dictionary<string, (int Players, int Rooms, int FullRooms)> counts = new();
            Assert.True(await DirectoryCountsWaitAsync(players, backend, c => c.Values.Sum(v => v.Players) == Players, r => counts = r));
            Assert.Equal(["node-a", "node-b"], counts.Keys.Order());
            Assert.All(counts.Values, c => Assert.True(c.FullRooms >= 1, $"a node has no full room: {Describe(counts)}"));
            Assert.True(counts.Values.Sum(c => c.Rooms) <= (Players / RoomCapacity) + 4, $"rooms fragmented: {Describe(counts)}");

            // Redis goes away and comes back: the nodes play on, warn once each, and register again.
            redis.Stop();
            Assert.True(PumpUntil(players, () => nodeA.Output.Contains("unreachable") && nodeB.Output.Contains("unreachable"), TimeSpan.FromSeconds(10)), nodeA.Output + nodeB.Output);
            PumpUntil(players, () => false, TimeSpan.FromSeconds(1)); // a second of play with the directory gone
            Assert.False(nodeA.HasExited || nodeB.HasExited || backendProcess.HasExited);
            Assert.All(players, p => Assert.True(p.Client.IsConnected));
            Assert.Equal(HttpStatusCode.OK, (await backend.RoomsAsync()).Status); // the backend serves its last view meanwhile
            var metrics = await new HttpClient().GetStringAsync($"http://127.0.0.1:{adminA}/metrics");
            Assert.Contains("engine_directory_connected 0", metrics);
            Assert.Matches(@"engine_directory_failures_total [1-9]", metrics);
            redis.Start();
            Assert.True(PumpUntil(players, () => nodeA.Output.Contains("registered again as node-a") && nodeB.Output.Contains("registered again as node-b"), TimeSpan.FromSeconds(15)), nodeA.Output + nodeB.Output);
            Assert.True(await DirectoryCountsWaitAsync(players, backend, c => c.Count == 2 && c.Values.Sum(v => v.Players) == Players, _ => { }));

            // node-a dies without a word: it leaves the directory within its TTL, and its players,
            // back at the backend, are all placed on node-b.
            var killedAt = Stopwatch.StartNew();
            nodeA.Signal(9);
            Assert.True(await WaitPumpingAsync(players, async () => !(await DirectoryCountsAsync(backend)).ContainsKey("node-a"), TimeSpan.FromSeconds(10)));
            Assert.True(killedAt.ElapsedMilliseconds < TtlMs + 1500, $"node-a left the directory after {killedAt.ElapsedMilliseconds} ms (TTL {TtlMs} ms)");
            var orphans = players.Where(p => p.NodeId == "node-a").ToList();
            Assert.NotEmpty(orphans);
            var moved = new List<Player>();
            foreach (var orphan in orphans)
            {
                orphan.Dispose();
                players.Remove(orphan);
                var again = await MatchmakeAsync(backend, orphan.Id);
                Assert.Equal("node-b", again.NodeId);
                moved.Add(again);
                players.Add(again);
                foreach (var player in players)
                {
                    player.Step();
                }
            }
            Assert.True(PumpUntil(players, () => players.All(p => p.InRoom), s_timeout), $"{moved.Count(p => p.InRoom)} of {moved.Count} moved players in a room");
            Assert.True(await DirectoryCountsWaitAsync(players, backend, c => c.Count == 1 && c["node-b"].Players == Players, r => counts = r), Describe(counts));
            Assert.False(nodeB.HasExited || backendProcess.HasExited);

            // node-b, the last one, drains: the directory marks it and the backend places nobody there, its
            // rooms play on until the deadline, then every player is told the server is shutting down and
            // the node exits 0, leaving the directory at once.
            using (var admin = new HttpClient())
            {
                var drain = await admin.PostAsync($"http://127.0.0.1:{adminB}/admin/drain", null);
                Assert.Equal(HttpStatusCode.Accepted, drain.StatusCode);
            }
            var drainStarted = Stopwatch.StartNew();
            Assert.True(await WaitPumpingAsync(players, async () => (await backend.RoomsAsync("?pageSize=1")).Body.GetProperty("rooms")[0].GetProperty("nodeState").GetString() == "draining"));
            var refused = await backend.MatchmakeAsync(Players + 1, RoomCapacity);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
            Assert.True(drainStarted.Elapsed < TimeSpan.FromSeconds(DrainSeconds - 0.5), $"the drain was seen after {drainStarted.Elapsed}: too late to check its rooms still play");
            Assert.All(players, p => Assert.True(p.Client.IsConnected && p.InRoom, "a player left before the drain's deadline"));
            var disconnectedAt = new Dictionary<ulong, double>();
            Assert.True(PumpUntil(players, () =>
            {
                foreach (var p in players.Where(p => !p.Client.IsConnected && !disconnectedAt.ContainsKey(p.Id)))
                {
                    disconnectedAt[p.Id] = drainStarted.Elapsed.TotalSeconds;
                }
                return players.All(p => !p.Client.IsConnected);
            }, s_timeout), $"{players.Count(p => p.Client.IsConnected)} players still connected after the drain");
            Assert.True(players.All(p => p.Client.DisconnectReason == DisconnectReason.ServerShuttingDown),
                string.Join(", ", players.GroupBy(p => (p.Client.DisconnectReason, p.NodeId, Math.Round(disconnectedAt[p.Id], 1))).Select(g => $"{g.Key}: {g.Count()}")) + nodeB.Output[^Math.Min(3000, nodeB.Output.Length)..]);
            Assert.True(nodeB.WaitForExit(TimeSpan.FromSeconds(10)), nodeB.Output);
            Assert.Equal(0, nodeB.ExitCode);
            Assert.True(await DirectoryTests.WaitForAsync(async () => (await DirectoryCountsAsync(backend)).Count == 0));
        }
        finally
        {
            foreach (var player in players)
            {
                player.Dispose();
            }
            File.Delete(keyFile);
            File.Delete(apiKeyFile);
        }
    }

    /// <summary>
    /// Waits for <paramref name="condition"/> while the players keep playing: a client the test stops
    /// stepping falls silent, and the node drops its session after 5 s.
    /// </summary>
    private static async Task<bool> WaitPumpingAsync(List<Player> players, Func<Task<bool>> condition, TimeSpan? timeout = null) =>
        await DirectoryTests.WaitForAsync(async () =>
        {
            foreach (var player in players)
            {
                player.Step();
            }
            return await condition();
        }, timeout);

    private static async Task<bool> DirectoryCountsWaitAsync(List<Player> players, BackendClient backend, Func<Dictionary<string, (int Players, int Rooms, int FullRooms)>, bool> condition,
        Action<Dictionary<string, (int Players, int Rooms, int FullRooms)>> last) =>
        await WaitPumpingAsync(players, async () =>
        {
            var counts = await DirectoryCountsAsync(backend);
            last(counts);
            return condition(counts);
        });

    private static string Describe(Dictionary<string, (int Players, int Rooms, int FullRooms)> counts) =>
        string.Join(", ", counts.Select(c => $"{c.Key}: {c.Value.Players} players in {c.Value.Rooms} rooms ({c.Value.FullRooms} full)"));

    [Fact]
    public void Bad_fleet_configuration_stops_the_node_and_the_backend_with_one_line_and_exit_code_2()
    {
        EngineProcess.AssertRefusedConfiguration("directory: 'http://127.0.0.1:6379' is not a redis:// URL", "--bind", "127.0.0.1", "--directory", "http://127.0.0.1:6379");
        EngineProcess.AssertRefusedConfiguration("public-address: a node in a fleet", "--directory", "redis://127.0.0.1:6379");
        EngineProcess.AssertRefusedConfiguration("node-labels: 'region' is not key=value", "--bind", "127.0.0.1", "--directory", "redis://127.0.0.1:6379", "--node-labels", "region");
        EngineProcess.AssertRefusedConfiguration("--api-key-file: required", "backend", "--directory", "redis://127.0.0.1:6379", "--token-key", new string('a', 64));
        EngineProcess.AssertRefusedConfiguration("--directory: required", "backend", "--token-key", new string('a', 64));
    }
}
