using Engine.LoadTest;
using Engine.LoadTest.Fleet;
using Engine.LoadTest.Metrics;
using Engine.LoadTest.Reports;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>A fleet run's report over made-up readings of GET /v1/nodes: each node's players and CPU over the window, and the matchmaking figures.</summary>
public sealed class FleetReportTests
{
    private static NodeReading Node(string id, int sessions, double cpu) => new(id, id == "a" ? "127.0.0.1:7001" : "127.0.0.1:7002", "open", sessions, 1000, cpu, sessions / 10, sessions);

    // As the monitor takes them without a server process: no CPU or RSS of its own.
    private static ServerSample Sample(int second, List<NodeReading>? nodes) => new() { Second = second, CpuPercent = double.NaN, RssMb = double.NaN, Nodes = nodes };

    [Fact]
    public void Players_and_cpu_per_node_are_the_window_s_mean_and_highest_and_the_last_reading_is_the_end()
    {
        var keyFile = Path.GetTempFileName();
        File.WriteAllText(keyFile, "a-key-of-no-importance-here-0123456789");
        try
        {
            var run = new RunResult
            {
                Options = LoadTestOptions.Parse(["steady", "--players", "30", "--backend", "http://127.0.0.1:8080", "--backend-key-file", keyFile]),
                Machine = new MachineInfo(2, "Test CPU", "6.1", "Linux", 4096, ".NET"),
                LoadAverageAtStart = "0.10 0.20 0.30",
                StartedUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
                ServerEndPoint = "http://127.0.0.1:8080/",
                ServerStarted = false,
                ServerArguments = [],
                ClientSockets = "30 sockets",
                Backend = new Uri("http://127.0.0.1:8080/"),
                Matchmaking = new MatchmakingTotals(31, 1, 0, 20, 10, new Percentiles(31, 2000, 3000, 9000, 9000, 9500, 2500), new() { ["POST /v1/matchmake: 503"] = 1 }),
                Seconds = [],
                Server =
                [
                    Sample(1, [Node("a", 5, 0.01)]), // before the window: left out
                    Sample(2, [Node("a", 10, 0.10), Node("b", 20, 0.20)]),
                    Sample(3, null), // a failed reading
                    Sample(4, [Node("a", 14, 0.30), Node("b", 16, 0.10)]),
                ],
                WindowStartSecond = 1,
                WindowEndSecond = 4,
                WindowSeconds = 3,
            };

            var nodes = ReportWriter.Nodes(run);
            Assert.Equal(["a", "b"], nodes.Select(n => n.Id));
            Assert.Equal((12.0, 14, 14), (nodes[0].PlayersMean, nodes[0].PlayersMax, nodes[0].PlayersEnd));
            Assert.Equal((18.0, 20, 16), (nodes[1].PlayersMean, nodes[1].PlayersMax, nodes[1].PlayersEnd));
            Assert.Equal(20, nodes[0].CpuPctMean, 6);
            Assert.Equal(30, nodes[0].CpuPctMax, 6);

            var figures = ReportWriter.Figures(run).ToDictionary(f => f.Key, f => f.Value);
            Assert.Equal(30, figures["fleet.players_end"]);
            Assert.Equal(2, figures["fleet.nodes"]);
            Assert.Equal(1, figures["matchmaking.failures"]);
            Assert.Equal(9, figures["matchmaking.ms.p99"]);
            Assert.True(double.IsNaN(figures["server.cpu_pct_avg"]), "a fleet has no one server process to sample");

            var markdown = MarkdownRenderer.Render(ReportWriter.Document(run, ReportWriter.Figures(run), ReportWriter.Targets(run), null, []));
            Assert.Contains("## Nodes", markdown, StringComparison.Ordinal);
            Assert.Contains("Per node from the directory", markdown, StringComparison.Ordinal);
            Assert.Contains("| a | 127.0.0.1:7001 | open | 12.0 | 14 | 14 |", markdown, StringComparison.Ordinal);
            Assert.Contains("1 of 4 readings of the nodes failed", markdown, StringComparison.Ordinal);
            Assert.Contains("refused: POST /v1/matchmake: 503 | 1", markdown, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }
}
