using System.Globalization;
using System.Text.Json.Nodes;
using Engine.LoadTest;
using Engine.LoadTest.Capacity;
using Engine.LoadTest.Reports;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>The capacity search: its steps as a pure plan, its options, and a tiny run against the AOT engine.</summary>
public sealed class CapacityTests
{
    [Fact]
    public void The_steps_add_the_step_s_players_up_to_the_ceiling_each_ramped_at_the_join_rate_but_the_first()
    {
        var steps = CapacityPlan.Steps(stepPlayers: 500, ceiling: 2200, holdSeconds: 20, joinRate: 250);
        Assert.Equal([500, 1000, 1500, 2000], steps.Select(s => s.Players));
        Assert.Equal([0, 2, 2, 2], steps.Select(s => s.RampSeconds));
        Assert.All(steps, s => Assert.Equal(20, s.HoldSeconds));
        Assert.Equal(1500, CapacityPlan.HoldPlayers(steps[2].HoldName));
        Assert.Null(CapacityPlan.HoldPlayers(steps[2].RampName));
        Assert.Null(CapacityPlan.HoldPlayers("measuring"));
    }

    [Fact]
    public void Capacity_runs_the_competitive_profile_in_steps_of_500_held_20_s_unless_told_otherwise()
    {
        var o = LoadTestOptions.Parse(["capacity"]);
        Assert.Equal((500, 20, 10_000, 500), (o.StepPlayers, o.DurationSeconds, o.Players, o.InitialPlayers));
        Assert.Equal("competitive", o.ProfileLabel);
        Assert.Equal(250, LoadTestOptions.Parse(["capacity", "--profile", "seed", "--step", "250"]).InitialPlayers);
        Assert.Throws<UsageException>(() => LoadTestOptions.Parse(["capacity", "--step", "600", "--players", "500"]));
    }

    [Fact]
    public void A_search_no_limit_applied_to_names_the_first_target_its_last_step_missed()
    {
        var rss = Target.On("server RSS", "≤ 52 MB (50 MB + 1 KB per player)", 55.5, v => v.ToString("0.0", CultureInfo.InvariantCulture) + " MB", v => v <= 52);

        Assert.Equal("Limited by: server RSS at 2,000 players: 55.5 MB against ≤ 52 MB (50 MB + 1 KB per player).", RunLimit.Line(RunLimit.Search([], 2000, rss)));

        // A limit of the box or the swarm comes first and keeps its wording; a search that missed nothing was limited by nothing.
        var cpu = RunLimit.Reasons(kernelDrops: 0, serverCpuPct: 190, swarmCpuPct: 5, serverThreads: 2, cores: 2, swarmLagP99Ms: 1);
        Assert.Equal(cpu, RunLimit.Search(cpu, 2000, rss));
        Assert.StartsWith("Limited by: nothing", RunLimit.Line(RunLimit.Search([], null, null)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_small_search_holds_consecutive_steps_and_stops_only_at_a_step_that_missed()
    {
        var reports = Directory.CreateTempSubdirectory("loadtest-capacity-");
        try
        {
            var (exit, output) = LoadTestProcess.Run(
                "capacity", "--step", "40", "--players", "120", "--duration", "3", "--join-rate", "40",
                "--room-size", "20", "--addresses", "4", "--engine", EngineProcess.BinaryPath, "--reports", reports.FullName);
            Assert.True(exit == 0, $"loadtest exited with {exit}:{Environment.NewLine}{output}");
            var run = LoadTestProcess.LatestReport(reports.FullName);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
            var steps = summary["capacity"]!["steps"]!.AsArray();
            Assert.NotEmpty(steps);
            int[] planned = [40, 80, 120];
            for (var i = 0; i < steps.Count; i++)
            {
                var step = steps[i]!;
                Assert.Equal(planned[i], step["players"]!.GetValue<int>());
                var missed = step["first_missed"]?.GetValue<string>();
                // Only the last step held may have missed: the search stops there.
                Assert.True(missed is null || i == steps.Count - 1, $"step {planned[i]} missed {missed} but the search went on");
                Assert.True(step["figures"]!["snapshots.per_player_per_s"]!.GetValue<double>() > 5, $"step {planned[i]}: the players barely got snapshots");
                Assert.Equal(planned[i], step["figures"]!["players.in_rooms_end"]!.GetValue<double>());
            }
            // The whole run's per-player figures share out over the players present each second, not the
            // ceiling: the run's downstream per player is in the range of its steps', not two thirds of it.
            var stepDown = steps.Select(s => s!["figures"]!["bandwidth.down_bytes_per_s_per_player"]!.GetValue<double>()).ToList();
            var runDown = summary["figures"]!["bandwidth.down_bytes_per_s_per_player"]!.GetValue<double>();
            Assert.True(runDown >= 0.85 * stepDown.Min(), $"whole run {runDown:0} B/s per player against steps {string.Join(", ", stepDown.Select(d => d.ToString("0")))}");
            if (steps[^1]!["first_missed"] is null)
            {
                Assert.Equal(3, steps.Count); // nothing missed: every step up to the ceiling
            }
            var target = summary["targets"]!.AsArray().Single()!;
            Assert.StartsWith("capacity: the largest step", target["name"]!.GetValue<string>(), StringComparison.Ordinal);
            var markdown = File.ReadAllText(Path.Combine(run, "report.md"));
            Assert.Contains("## Capacity: the steps", markdown, StringComparison.Ordinal);
            Assert.Contains("Capacity: CPU against players", markdown, StringComparison.Ordinal);
        }
        finally
        {
            reports.Delete(recursive: true);
        }
    }
}
