using System.Text.Json.Nodes;
using Engine.Tests.Fleet;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>
/// The swarm against a fleet: a redis-server, two AOT nodes and `engine backend` started here, and the
/// built `loadtest` placing every player through the backend (`steady --backend`). The report's
/// per-node players, read from the directory, must add up to every player, on both nodes, with no
/// matchmaking call refused.
/// </summary>
public sealed class FleetSwarmTests
{
    private const int Players = 200;
    private const int RoomSize = 20;
    private const int Seconds = 10;

    private static string[] NodeArguments(string id, string keyFile, string directory) =>
    [
        "--bind", "127.0.0.1", "--port", EngineProcess.FreeUdpPort().ToString(), "--shards", "1", "--token-key-file", keyFile,
        "--directory", directory, "--node-id", id, "--directory-ttl-ms", "3000",
        // The swarm's players share a few 127.0.0.x addresses, which real players never do: per-address limits off.
        "--max-sessions-per-address", "1024", "--handshakes-per-second-per-address", "0", "--packets-per-second-per-address", "0",
        "--max-sessions", "1024", "--default-room-capacity", RoomSize.ToString(), "--max-players-per-room", "64",
        "--admin-port", RedisServer.FreeTcpPort().ToString(), "--drain-timeout-seconds", "0",
    ];

    [Fact]
    public void A_steady_swarm_matchmakes_every_player_through_the_backend_and_reports_players_and_cpu_per_node()
    {
        using var redis = new RedisServer();
        var keyFile = Path.GetTempFileName();
        var apiKeyFile = Path.GetTempFileName();
        var reports = Directory.CreateTempSubdirectory("loadtest-fleet-");
        File.WriteAllText(keyFile, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        File.WriteAllText(apiKeyFile, BackendClient.NewApiKey());
        var httpPort = RedisServer.FreeTcpPort();
        try
        {
            using var nodeA = EngineProcess.Start(NodeArguments("node-a", keyFile, redis.Url));
            using var nodeB = EngineProcess.Start(NodeArguments("node-b", keyFile, redis.Url));
            using var backend = EngineProcess.Start(["backend", "--directory", redis.Url, "--token-key-file", keyFile, "--api-key-file", apiKeyFile, "--http", $"127.0.0.1:{httpPort}"]);
            Assert.True(nodeA.WaitForOutput("registered as node-a", TimeSpan.FromSeconds(20)), nodeA.Output + nodeA.Error);
            Assert.True(nodeB.WaitForOutput("registered as node-b", TimeSpan.FromSeconds(20)), nodeB.Output + nodeB.Error);
            Assert.True(backend.WaitForOutput("backend on", TimeSpan.FromSeconds(20)), backend.Output + backend.Error);
            Thread.Sleep(500); // the backend's view (read every 250 ms) holds both nodes

            var (exit, output) = LoadTestProcess.Run(
                "steady", "--backend", $"http://127.0.0.1:{httpPort}", "--backend-key-file", apiKeyFile,
                "--players", $"{Players}", "--room-size", $"{RoomSize}", "--duration", $"{Seconds}", "--reports", reports.FullName);
            Assert.True(exit == 0, $"loadtest exited with {exit}:{Environment.NewLine}{output}");
            Assert.False(nodeA.HasExited || nodeB.HasExited || backend.HasExited, output);

            var run = LoadTestProcess.LatestReport(reports.FullName);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
            Assert.True(summary["window"]!["all_in_rooms"]!.GetValue<bool>(), output);
            var fleet = summary["fleet"]!;
            var nodes = fleet["nodes"]!.AsArray().Select(n => n!).ToList();
            Assert.Equal(["node-a", "node-b"], nodes.Select(n => n["id"]!.GetValue<string>()));
            Assert.Equal(Players, nodes.Sum(n => n["players_end"]!.GetValue<int>()));
            Assert.All(nodes, n => Assert.True(n["players_end"]!.GetValue<int>() > 0, $"{n["id"]} got no players: {fleet}"));
            Assert.All(nodes, n => Assert.True(n["cpu_pct_max"]!.GetValue<double>() > 0, $"{n["id"]} shows no CPU: {fleet}"));
            var matchmaking = fleet["matchmaking"]!;
            Assert.Equal(0, matchmaking["failures"]!.GetValue<long>());
            Assert.True(matchmaking["calls"]!.GetValue<long>() >= Players, $"{matchmaking}");
            Assert.True(matchmaking["ms_p99"]!.GetValue<double>() > 0, $"{matchmaking}");

            var markdown = File.ReadAllText(Path.Combine(run, "report.md"));
            Assert.Contains("## Nodes", markdown, StringComparison.Ordinal);
            Assert.Contains("per node from the directory", markdown, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("## Matchmaking through the backend", markdown, StringComparison.Ordinal);
            var html = File.ReadAllText(Path.Combine(run, "report.html"));
            Assert.Contains("Nodes: players per node", html, StringComparison.Ordinal);
            var header = File.ReadLines(Path.Combine(run, "timeseries.csv")).First();
            Assert.Contains("node_node-a_players,node_node-a_cpu_pct,node_node-b_players", header, StringComparison.Ordinal);
        }
        finally
        {
            reports.Delete(recursive: true);
            File.Delete(keyFile);
            File.Delete(apiKeyFile);
        }
    }

    [Fact]
    public void A_fleet_run_refuses_scenarios_and_options_that_need_one_server()
    {
        var keyFile = Path.GetTempFileName();
        File.WriteAllText(keyFile, BackendClient.NewApiKey());
        try
        {
            foreach (var (arguments, message) in new (string[], string)[]
            {
                (["hostile"], "--backend: the hostile scenario needs one server of its own"),
                (["steady", "--server", "127.0.0.1:7777"], "--backend and --server"),
                (["steady", "--engine", "artifacts/bin/engine"], "--backend and --engine"),
                (["steady", "--shards", "2"], "--backend and --shards"),
                (["steady", "--shared-sockets", "4"], "--backend and --shared-sockets"),
            })
            {
                var (exit, output) = LoadTestProcess.Run([.. arguments, "--backend", "http://127.0.0.1:1", "--backend-key-file", keyFile]);
                Assert.Equal(2, exit);
                Assert.Contains(message, output, StringComparison.Ordinal);
            }
            var (noKey, noKeyOutput) = LoadTestProcess.Run("steady", "--backend", "http://127.0.0.1:1");
            Assert.Equal(2, noKey);
            Assert.Contains("--backend needs --backend-key-file", noKeyOutput, StringComparison.Ordinal);
            var (unreachable, unreachableOutput) = LoadTestProcess.Run("steady", "--backend", $"http://127.0.0.1:{RedisServer.FreeTcpPort()}", "--backend-key-file", keyFile, "--players", "1");
            Assert.Equal(2, unreachable);
            Assert.Contains("no answer from", unreachableOutput, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }
}
