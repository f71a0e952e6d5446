using System.Text.Json.Nodes;
using Engine.LoadTest.Capacity;

namespace Engine.LoadTest.Reports;

/// <summary>One step of the capacity search: its hold window, its figures and the load targets judged on them.</summary>
internal sealed record CapacityStepResult(int Players, WindowResult Hold, List<Figure> Figures, List<Target> Targets)
{
    /// <summary>The first target the step missed (in the targets' order), or null when it met them all; a target without data is not a miss.</summary>
    public Target? FirstMissed => Targets.FirstOrDefault(t => t.HasData && !t.Met);

    public double Value(string key) => Figures.First(f => f.Key == key).Value;
}

internal static partial class ReportWriter
{
    /// <summary>The capacity goal on this box for the competitive profile; other profiles have none, their knee is recorded.</summary>
    public const int CompetitiveCapacityGoal = 6000;

    /// <summary>Every step held so far, in order.</summary>
    public static List<CapacityStepResult> CapacitySteps(RunResult r) =>
        [.. r.Windows.Where(w => CapacityPlan.HoldPlayers(w.Name) is not null).Select(w => CapacityStep(r, w))];

    /// <summary>A step's figures (the hold window's, handshakes over its ramp too) and its targets.</summary>
    public static CapacityStepResult CapacityStep(RunResult r, WindowResult hold)
    {
        var players = CapacityPlan.HoldPlayers(hold.Name)!.Value;
        var figures = PhaseFigures(r, hold);
        var ramp = r.Windows.FirstOrDefault(w => w.Name == CapacityPlan.RampPrefix + players);
        var started = hold.Counters.HandshakesStarted + (ramp?.Counters.HandshakesStarted ?? 0);
        var completed = hold.Counters.HandshakesCompleted + (ramp?.Counters.HandshakesCompleted ?? 0);
        figures.RemoveAll(f => f.Key == "handshake.success_pct");
        var server = ServerIn(r, hold.StartSecond, hold.EndSecond).ToList();
        var cpu = Avg(server.Select(s => s.CpuPercent));
        figures.AddRange(
        [
            new("handshake.success_pct", "Handshakes completed / started (the step's ramp and hold)", started == 0 ? double.NaN : completed * 100.0 / started, "%", false, "0.00"),
            new("server.rss_mb_max", "Server RSS, highest", Max(server.Select(s => s.RssMb)), "MB", true, "0.0"),
            new("bandwidth.down_bytes_per_s_per_player", "Downstream per player (UDP payload)", hold.BytesDown / hold.Seconds / players, "B/s", true, "0"),
            new("server.cpu_us_per_player_second", "Server CPU per player-second", cpu * 10_000 / players, "µs", true, "0.0"),
            new("swarm.cpu_pct_avg", "Swarm CPU, mean", Avg(server.Select(s => s.SwarmCpuPercent)), "%", true, "0.0"),
            new("swarm.cpu_us_per_player_second", "Swarm CPU per player-second", Avg(server.Select(s => s.SwarmCpuPercent)) * 10_000 / players, "µs", true, "0.0"),
            new("swarm.slot_lag_ms.p99", "Swarm schedule lag p99", Ms(hold.SlotLag, hold.SlotLag.P99), "ms", true, "0.00"),
        ]);
        var byKey = figures.ToDictionary(f => f.Key, f => f.Value);
        return new(players, hold, figures, LoadTargets(byKey, players, players));
    }

    /// <summary>The largest step that met every target, the first that did not, and (competitive) the goal.</summary>
    private static List<Target> CapacityTargets(RunResult r)
    {
        var steps = CapacitySteps(r);
        var passed = steps.TakeWhile(s => s.FirstMissed is null).LastOrDefault();
        var failed = steps.FirstOrDefault(s => s.FirstMissed is not null);
        var measured = passed is null ? "none (the first step missed)" : $"{passed.Players} players";
        measured += failed is null
            ? steps.Count == 0 ? "" : $"; no step missed up to the ceiling ({r.Players})"
            : $"; {failed.Players} missed {failed.FirstMissed!.Name}: {failed.FirstMissed.Measured} (goal {failed.FirstMissed.Goal})";
        var competitive = r.Options.ProfileLabel == RateProfile.Competitive.Name;
        return
        [
            competitive
                ? new("capacity: the largest step that met every target", $"≥ {CompetitiveCapacityGoal} players (competitive, this box)", measured, passed?.Players >= CompetitiveCapacityGoal)
                : new($"capacity: the largest step that met every target ({r.Options.ProfileLabel})", "recorded (no goal for this profile)", measured, passed is not null),
        ];
    }

    private static ReportSection CapacitySection(RunResult r)
    {
        var steps = CapacitySteps(r);
        string[] keys =
        [
            "server.cpu_pct_avg", "server.cpu_us_per_player_second", "swarm.cpu_pct_avg", "swarm.cpu_us_per_player_second", "swarm.slot_lag_ms.p99", "server.tick_cpu_p99_us_max",
            "latency.input_ack_ms.p99", "latency.rtt_ms.p99", "snapshots.loss_pct", "bandwidth.down_bytes_per_s_per_player", "server.rss_mb_max", "handshake.success_pct",
        ];
        var labels = keys.Select(k => steps.Count == 0 ? k : steps[0].Figures.First(f => f.Key == k).Label).ToList();
        var rows = steps.Select(s => (ReportCell[])
        [
            s.Players.ToString(s_inv),
            .. keys.Select(k => Cell(s.Figures.First(f => f.Key == k))),
            s.FirstMissed is { } m ? ReportCell.Verdict($"missed: {m.Name}", false) : ReportCell.Verdict("met", true),
        ]).ToList();
        var o = r.Options;
        return new ReportSection("Capacity: the steps",
            $"{o.StepPlayers} players more every step, each held {o.DurationSeconds} s (the ramp between steps at {o.JoinRate}/s is not judged, except its handshakes), " +
            $"up to {o.Players}; the search stops at the first step that misses a target. Every figure is the step's hold window's. Profile: {o.ProfileLabel}.",
            new(["players", .. labels, "verdict"], rows) { RightAligned = [true, .. keys.Select(_ => true), false] });
    }

    private static ReportCell Cell(Figure f) => double.IsNaN(f.Value) ? "n/a" : f.Formatted;

    private static JsonObject CapacityJson(RunResult r) => new()
    {
        ["steps"] = new JsonArray([.. CapacitySteps(r).Select(s => (JsonNode?)new JsonObject
        {
            ["players"] = s.Players,
            ["first_missed"] = s.FirstMissed?.Name,
            ["figures"] = new JsonObject(s.Figures.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)Json(f.Value)))),
        })]),
    };
}
