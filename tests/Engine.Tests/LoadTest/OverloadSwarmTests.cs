using System.Text.Json.Nodes;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>
/// The overload scenario, tiny: a knee of 60 players, a peak of 120, short holds, against the AOT
/// engine. Every phase must be a window of the planned length, the ramp down must take its players
/// away cleanly, and the report must carry the phase tables, the degradation (or say that the
/// engine does not export it) and the recovery check.
/// </summary>
public sealed class OverloadSwarmTests
{
    [Fact]
    public void A_small_overload_run_measures_every_phase_and_reports_degradation_and_recovery()
    {
        var reports = Directory.CreateTempSubdirectory("loadtest-overload-");
        try
        {
            var (exit, output) = LoadTestProcess.Run(
                "overload", "--knee", "60", "--players", "120", "--knee-hold", "4", "--duration", "4", "--warmup", "1",
                "--join-rate", "30", "--leave-rate", "30", "--room-size", "20", "--addresses", "4", "--engine", EngineProcess.BinaryPath, "--reports", reports.FullName);
            Assert.True(exit == 0, $"loadtest exited with {exit}:{Environment.NewLine}{output}");
            var run = LoadTestProcess.LatestReport(reports.FullName);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
            Assert.Equal(0, summary["server"]!["exit_code"]!.GetValue<int>());

            var overload = summary["overload"]!;
            var phases = overload["phases"]!.AsObject();
            Assert.Equal(["knee", "ramp-up", "peak", "ramp-down", "recovered"], phases.Select(p => p.Key));
            int[] planned = [4, 2, 4, 2, 4];
            var i = 0;
            foreach (var (name, phase) in phases)
            {
                Assert.Equal(planned[i++], phase!["end_second"]!.GetValue<int>() - phase["start_second"]!.GetValue<int>());
                Assert.True(phase["figures"]!["snapshots.per_player_per_s"]!.GetValue<double>() > 5, $"{name}: the players barely got snapshots");
            }
            double Figure(string phase, string key) => phases[phase]!["figures"]![key]!.GetValue<double>();
            Assert.Equal(120, Figure("peak", "players.in_rooms_end"));
            Assert.Equal(60, Figure("ramp-down", "players.departures"));
            Assert.Equal(60, Figure("recovered", "players.in_rooms_end"));
            Assert.Equal(0, Figure("recovered", "players.departures"));
            Assert.True(Figure("ramp-up", "handshake.started") + Figure("peak", "handshake.started") >= 60, "the ramp up started too few handshakes");
            Assert.Equal(3, overload["recovery"]!["figures"]!.AsArray().Count);
            Assert.Equal(5, overload["targets"]!.AsArray().Count);

            var markdown = File.ReadAllText(Path.Combine(run, "report.md"));
            Assert.Contains("## Overload: the phases", markdown, StringComparison.Ordinal);
            Assert.Contains("## Overload: the server's degradation per phase", markdown, StringComparison.Ordinal);
            Assert.Contains("## Overload: the server's drops by reason per phase", markdown, StringComparison.Ordinal);
            Assert.Contains("## Overload: recovery", markdown, StringComparison.Ordinal);
            Assert.Contains("| figure | knee (s ", markdown, StringComparison.Ordinal);
            // The degradation is the engine's own: exported and read, or said to be missing, never a made-up 0.
            var level = phases["peak"]!["degradation"]!["overload.level_max"];
            if (level is null)
            {
                Assert.Contains("| Overload level, highest second (0 normal, 1 over budget, 2 far over) | not exported |", markdown, StringComparison.Ordinal);
            }
            else
            {
                Assert.InRange(level.GetValue<double>(), 0, 2);
            }
            var header = File.ReadLines(Path.Combine(run, "timeseries.csv")).First();
            Assert.Contains("overload_level,snapshots_sent_per_s,snapshots_deferred_per_s", header, StringComparison.Ordinal);
        }
        finally
        {
            reports.Delete(recursive: true);
        }
    }
}
