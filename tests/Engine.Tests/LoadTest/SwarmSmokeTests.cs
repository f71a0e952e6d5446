using System.Text.Json.Nodes;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>
/// The real thing, small: the built `loadtest` executable starts the AOT engine, runs a 200-player
/// steady swarm for 10 s and writes its report; the report's files must exist and hold sane figures.
/// </summary>
public sealed class SwarmSmokeTests
{
    private const int Players = 200;
    private const int RoomSize = 50;
    private const int Seconds = 10;
    private const int SnapshotRate = 20;

    [Fact]
    public void PlayersThatDoNotFitTheDescriptorLimitStopTheRunWithOneMessageAndExit2()
    {
        var reports = Directory.CreateTempSubdirectory("loadtest-nofile-");
        try
        {
            // A socket per player: 2,000 players cannot open under a limit of 512 descriptors.
            var (exit, output) = LoadTestProcess.RunProgram("/bin/sh", "-c", "ulimit -n 512 && exec \"$0\" \"$@\"", LoadTestProcess.LoadTestBinary,
                "steady", "--players", "2000", "--engine", EngineProcess.BinaryPath, "--reports", reports.FullName);
            Assert.True(exit == 2, $"exit {exit}:{Environment.NewLine}{output}");
            Assert.Contains("2000 players need a socket each", output, StringComparison.Ordinal);
            Assert.Contains("is 512", output, StringComparison.Ordinal);
            Assert.DoesNotContain("engine pid", output, StringComparison.Ordinal);
        }
        finally
        {
            reports.Delete(recursive: true);
        }
    }

    [Fact]
    public void SmallSteadySwarmRunsEndToEndAndWritesASaneReport()
    {
        var reports = Directory.CreateTempSubdirectory("loadtest-smoke-");
        try
        {
            var (exit, output) = LoadTestProcess.Run(
                "steady", "--players", $"{Players}", "--room-size", $"{RoomSize}", "--duration", $"{Seconds}",
                "--snapshot-rate", $"{SnapshotRate}", "--addresses", "8", "--engine", EngineProcess.BinaryPath, "--reports", reports.FullName);
            Assert.True(exit == 0, $"loadtest exited with {exit}:{Environment.NewLine}{output}");

            var run = LoadTestProcess.LatestReport(reports.FullName);
            var html = File.ReadAllText(Path.Combine(run, "report.html"));
            Assert.Contains("data:image/png;base64,", html, StringComparison.Ordinal);
            Assert.Contains("shares the machine", html, StringComparison.Ordinal);
            var markdown = File.ReadAllText(Path.Combine(run, "report.md"));
            Assert.Contains("## Machine", markdown, StringComparison.Ordinal);
            Assert.Contains("--tick-rate", markdown, StringComparison.Ordinal);

            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
            var f = summary["figures"]!.AsObject();
            double F(string key) => f[key]?.GetValue<double>() ?? throw new Xunit.Sdk.XunitException($"figure {key} missing:{Environment.NewLine}{f}");

            Assert.Equal(0, summary["server"]!["exit_code"]!.GetValue<int>());
            var sockets = summary["client_sockets"]!;
            Assert.Equal("socket_per_player", sockets["layout"]!.GetValue<string>());
            Assert.Equal(Players, sockets["sockets"]!.GetValue<int>());
            Assert.Equal(8, sockets["addresses"]!.GetValue<int>());
            Assert.Contains("one socket per player: 200 sockets on 8 addresses", markdown, StringComparison.Ordinal);
            Assert.Contains("Client sockets: one socket per player", output, StringComparison.Ordinal);
            Assert.Equal(0, F("swarm.unrouted"));
            Assert.True(summary["window"]!["all_in_rooms"]!.GetValue<bool>(), output);
            Assert.Equal(Players, F("players.in_rooms_min"));
            Assert.Equal(Players, F("players.connected_end"));
            Assert.Equal(100, F("handshake.success_pct"));

            // About the snapshot rate, with little loss (the box is shared, so not exactly).
            Assert.InRange(F("snapshots.per_player_per_s"), SnapshotRate * 0.8, SnapshotRate * 1.05);
            Assert.InRange(F("snapshots.loss_pct"), 0, 1);
            Assert.True(F("latency.input_ack_count") > Players * Seconds, "inputs were acknowledged");

            foreach (var measure in new[] { "latency.input_ack_ms", "latency.rtt_ms" })
            {
                double[] p = [F($"{measure}.p50"), F($"{measure}.p90"), F($"{measure}.p99"), F($"{measure}.p999"), F($"{measure}.max")];
                Assert.True(p[0] > 0, $"{measure}.p50 is {p[0]}");
                for (var i = 1; i < p.Length; i++)
                {
                    Assert.True(p[i] >= p[i - 1], $"{measure} percentiles out of order: {string.Join(", ", p)}");
                }
            }
            // Input to acknowledgement waits for the next snapshot: at 20 Hz it cannot be far below 50 ms at p99.
            Assert.InRange(F("latency.input_ack_ms.p99"), 20, 5_000);

            Assert.True(F("server.cpu_pct_avg") > 0, "server CPU sampled");
            Assert.True(F("server.rss_mb_max") > 1, "server RSS sampled");
            Assert.True(F("server.tick_p99_us_max") > 0, "server stats line read");
            Assert.True(F("bandwidth.down_bytes_per_s_per_player") > 0 && F("bandwidth.up_bytes_per_s_per_player") > 0);

            var rows = File.ReadAllLines(Path.Combine(run, "timeseries.csv"));
            Assert.True(rows.Length > Seconds, $"{rows.Length} rows in timeseries.csv");
            Assert.StartsWith("second,phase,connected,in_rooms", rows[0], StringComparison.Ordinal);
        }
        finally
        {
            reports.Delete(recursive: true);
        }
    }
}
