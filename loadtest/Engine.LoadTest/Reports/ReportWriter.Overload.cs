using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Engine.LoadTest.Metrics;
using Engine.LoadTest.Overload;

namespace Engine.LoadTest.Reports;

/// <summary>
/// The overload scenario's parts of the report: its phases side by side, the server's degradation
/// and drops per phase, the recovery after the ramp down, and the issue's acceptance as targets.
/// </summary>
internal static partial class ReportWriter
{
    /// <summary>The issue's bound: after the ramp down every figure is back to its knee value within this many seconds.</summary>
    public const int RecoverySecondsBound = 10;

    /// <summary>The issue's bound for handshakes past the knee: completed / started.</summary>
    public const double OverloadHandshakeBoundPct = 99;

    private const string NotExported = "not exported";

    /// <summary>The overload scenario's measured phases that ran, in order.</summary>
    public static List<WindowResult> Phases(RunResult r) =>
        [.. r.Windows.Where(w => r.Options.Scenario.Overloads && r.Options.Scenario.Windows.Contains(w.Name))];

    private static WindowResult? Phase(RunResult r, string name) => Phases(r).FirstOrDefault(w => w.Name == name);

    /// <summary>
    /// The tick's CPU budget the peak is judged against: the engine's own where it prints one (stats line,
    /// then start-up line), else --tick-budget-us or the engine's default, 1e6 / tick rate / 4 µs.
    /// </summary>
    public static (double Us, string Source) TickBudget(RunResult r)
    {
        var printed = r.Server.Select(s => s.Stats?.TickBudgetUs ?? -1).FirstOrDefault(b => b > 0, -1);
        if (printed > 0)
        {
            return (printed, "printed by the engine (stats line)");
        }
        if (r.ServerListening is { } line && BudgetPattern().Match(line) is { Success: true } m &&
            double.TryParse(m.Groups[1].Value, NumberStyles.Float, s_inv, out var us))
        {
            return (us, "printed by the engine at start");
        }
        return (r.Options.EffectiveTickBudgetUs, r.Options.TickBudgetUs is null ? "the engine's default, 1e6 / tick rate / 4" : r.ServerStarted ? "--tick-budget-us, passed to the engine" : "--tick-budget-us");
    }

    [GeneratedRegex(@"tick[ _-]?budget[^0-9]{0,16}([0-9]+(?:\.[0-9]+)?)", RegexOptions.IgnoreCase)]
    private static partial Regex BudgetPattern();

    /// <summary>The per-second figures recovery is judged by, for the seconds in (<paramref name="startSecond"/>, <paramref name="endSecond"/>].</summary>
    public static List<HealthSecond> Health(RunResult r, int startSecond, int endSecond)
    {
        var server = r.Server.GroupBy(s => s.Second).ToDictionary(g => g.Key, g => g.Last());
        var inRooms = InRoomsBySecond(r);
        return [.. r.Seconds.Select((s, i) => (s, i)).Where(x => x.s.Second > startSecond && x.s.Second <= endSecond).Select(x => new HealthSecond(x.s.Second,
            inRooms[x.i] > 0 ? x.s.Delta.SnapshotsApplied / inRooms[x.i] : double.NaN,
            x.s.InputAck.Count > 0 ? x.s.InputAck.P99 / 1000 : double.NaN,
            server.TryGetValue(x.s.Second, out var v) && v.Stats is { TickCpuP99Us: >= 0 } st ? st.TickCpuP99Us : double.NaN))];
    }

    /// <summary>Players in rooms over each second of the run: the mean of the counts at its start and at its end, as players join and leave within it.</summary>
    public static double[] InRoomsBySecond(RunResult r) =>
        [.. r.Seconds.Select((s, i) => i == 0 ? s.InRooms : (r.Seconds[i - 1].InRooms + s.InRooms) / 2.0)];

    /// <summary>The recovery check: the knee phase's medians against every second after the ramp down.</summary>
    public static Recovery OverloadRecovery(RunResult r)
    {
        var knee = Phase(r, Scenario.KneeWindow);
        var down = Phase(r, Scenario.RampDownWindow);
        if (knee is null || down is null)
        {
            return Recovery.Compute([], [], down?.EndSecond ?? 0);
        }
        var end = Phase(r, Scenario.RecoveredWindow)?.EndSecond ?? (r.Seconds.Count == 0 ? down.EndSecond : r.Seconds[^1].Second);
        return Recovery.Compute(Health(r, knee.StartSecond, knee.EndSecond), Health(r, down.EndSecond, end), down.EndSecond);
    }

    /// <summary>The issue's acceptance: at the peak the server stays up, times no session out, completes its handshakes and keeps its tick within the budget; afterwards it recovers.</summary>
    public static List<Target> OverloadTargets(RunResult r)
    {
        var up = Phase(r, Scenario.RampUpWindow);
        var peak = Phase(r, Scenario.PeakWindow);
        var list = new List<Target>
        {
            new("overload: the server stays up", "exit code 0 after SIGTERM at the end",
                r.ServerExitCode is int code ? $"exit code {code}" : r.ServerStarted ? "killed (did not stop in time)" : "not known (attached)", r.ServerExitCode == 0),
        };
        if (up is null || peak is null)
        {
            list.Add(new("overload: the peak reached and held", $"{r.Options.Players} players for {r.Options.DurationSeconds} s", "the run ended early", false));
            return list;
        }
        var (start, _) = AdminEdges(r, up);
        var (_, end) = AdminEdges(r, peak);
        var timedOut = start is null || end is null ? (long?)null : end.TimedOut - start.TimedOut;
        list.Add(new("overload: sessions the server timed out, ramp up and peak", "0",
            timedOut is long t ? t.ToString(s_inv) : "not scraped (/metrics)", timedOut == 0));

        var started = up.Counters.HandshakesStarted + peak.Counters.HandshakesStarted;
        var completed = up.Counters.HandshakesCompleted + peak.Counters.HandshakesCompleted;
        var success = started == 0 ? 100 : completed * 100.0 / started;
        list.Add(new("overload: handshakes completed / started, ramp up and peak", $"≥ {OverloadHandshakeBoundPct}%",
            started == 0 ? "none started" : string.Create(s_inv, $"{success:0.00}% ({completed} of {started})"), success >= OverloadHandshakeBoundPct));

        var (budget, source) = TickBudget(r);
        var ticks = CpuTicks(ServerIn(r, peak.StartSecond, peak.EndSecond).Where(s => s.Stats is not null).Select(s => s.Stats!)).ToList();
        list.Add(new("overload: tick p99 on CPU at the peak, every second", string.Create(s_inv, $"≤ {budget:0} µs ({source})"),
            ticks.Count == 0 ? "not printed by the engine" : string.Create(s_inv, $"{ticks.Max():0} µs worst second, {Median(ticks):0} µs median"),
            ticks.Count > 0 && ticks.Max() <= budget));

        var recovery = OverloadRecovery(r);
        list.Add(new("overload: recovery after the ramp down (every figure within 10% of the knee)", $"≤ {RecoverySecondsBound} s",
            recovery.Seconds is int s ? $"{s} s" : "not recovered by the end of the run", recovery.Seconds <= RecoverySecondsBound));
        return list;
    }

    /// <summary>What the players saw and the server did in one phase, under the keys summary.json uses.</summary>
    public static List<Figure> PhaseFigures(RunResult r, WindowResult w)
    {
        var c = w.Counters;
        var stats = ServerIn(r, w.StartSecond, w.EndSecond).Where(s => s.Stats is not null).Select(s => s.Stats!).ToList();
        var (start, end) = AdminEdges(r, w);
        return
        [
            new("players.in_rooms_end", "Players in rooms at the end", w.InRoomsEnd, "", false, "0"),
            new("players.in_rooms_min", "Fewest players in rooms", w.MinInRooms, "", false, "0"),
            new("handshake.started", "Handshakes started", c.HandshakesStarted, "", false, "0"),
            new("handshake.completed", "Handshakes completed", c.HandshakesCompleted, "", false, "0"),
            new("handshake.success_pct", "Handshakes completed / started", w.HandshakeSuccessPct, "%", false, "0.00"),
            new("handshake.timeouts", "Handshakes timed out (the player retries)", c.HandshakeTimeouts, "", true, "0"),
            new("handshake.ms.p99", "Handshake time p99", Ms(w.Handshake, w.Handshake.P99), "ms", true),
            new("latency.input_ack_ms.p50", "Input → acknowledgement p50", Ms(w.Ack, w.Ack.P50), "ms", true),
            new("latency.input_ack_ms.p99", "Input → acknowledgement p99", Ms(w.Ack, w.Ack.P99), "ms", true),
            new("latency.rtt_ms.p99", "RTT (ping) p99", Ms(w.Rtt, w.Rtt.P99), "ms", true, "0.000"),
            new("snapshots.per_player_per_s", "Snapshots applied per player per second", SnapshotsPerPlayer(r, w), "/s", false, "0.00"),
            new("snapshots.loss_pct", "Snapshot loss", w.LossPct, "%", true, "0.0000"),
            new("server.cpu_pct_avg", "Server CPU, mean", Avg(ServerIn(r, w.StartSecond, w.EndSecond).Select(s => s.CpuPercent)), "%", true, "0.0"),
            new("server.tick_p99_us_max", "Server tick p99 (wall), worst second", stats.Count == 0 ? double.NaN : stats.Max(s => (double)s.TickP99Us), "µs", true, "0"),
            new("server.tick_cpu_p99_us_max", "Server tick p99 on CPU, worst second", CpuTicks(stats).DefaultIfEmpty(double.NaN).Max(), "µs", true, "0"),
            new("server.tick_cpu_p99_us_median", "Server tick p99 on CPU, median second", CpuTicks(stats).Any() ? Median(CpuTicks(stats)) : double.NaN, "µs", true, "0"),
            new("server.kernel_drops", "Server socket kernel drops (SO_RXQ_OVFL)", ServerDelta(r, w, s => s.Stats is { KernelDrops: >= 0 } st ? st.KernelDrops : double.NaN), "", true, "0"),
            new("kernel.udp_rcvbuf_errors", "Kernel UDP RcvbufErrors (all sockets)", ServerDelta(r, w, s => s.UdpRcvbufErrors), "", true, "0"),
            new("server.sessions_timed_out", "Sessions the server timed out (/metrics)", start is null || end is null ? double.NaN : end.TimedOut - start.TimedOut, "", true, "0"),
            new("server.drops", "Server drops, every reason (/metrics)", end is null ? double.NaN : end.DropsSince(start).Values.Sum(), "", true, "0"),
            new("rooms.server_disconnects", "Sessions the server ended (the players saw)", c.ServerDisconnects, "", true, "0"),
            new("players.departures", "Players that left for good", c.Departures, "", false, "0"),
        ];
    }

    /// <summary>The server's overload policy over one phase, from /metrics at its edges and each second; NaN where the engine does not export a series.</summary>
    public static List<Figure> PhaseDegradation(RunResult r, WindowResult w)
    {
        var (start, end) = AdminEdges(r, w);
        var edges = start is null || end is null
            ? new DegradationSecond(w.EndSecond, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN)
            : DegradationSecond.Between(new ServerSample { Second = w.StartSecond, Admin = start }, new ServerSample { Second = w.EndSecond, Admin = end }, r.Options.TickRate);
        var levels = ServerIn(r, w.StartSecond, w.EndSecond).Where(s => s.Admin?.OverloadLevel is not null).Select(s => (double)s.Admin!.OverloadLevel!.Value).ToList();
        double Levels(Func<List<double>, double> f) => levels.Count == 0 ? double.NaN : f(levels);
        return
        [
            new("overload.level_max", "Overload level, highest second (0 normal, 1 over budget, 2 far over)", Levels(l => l.Max()), "", true, "0"),
            new("overload.seconds_over_budget", "Seconds over budget (level 1 or 2)", Levels(l => l.Count(v => v >= 1)), "s", true, "0"),
            new("overload.seconds_far_over_budget", "Seconds far over budget (level 2)", Levels(l => l.Count(v => v >= 2)), "s", true, "0"),
            new("snapshots.per_player_per_s", "Snapshots applied per player per second (the players)", SnapshotsPerPlayer(r, w), "/s", false, "0.00"),
            new("overload.snapshots_sent_per_s", "Snapshots sent per second (the server)", edges.SentPerSecond, "/s", false, "0"),
            new("overload.snapshots_deferred_per_s", "Snapshots deferred per second (skipped by the overload policy)", edges.DeferredPerSecond, "/s", true, "0"),
            new("overload.encodes_per_tick.shared", "Snapshot encodes per tick: shared", edges.SharedEncodesPerTick, "", true, "0.0"),
            new("overload.encodes_per_tick.player", "Snapshot encodes per tick: per player", edges.PlayerEncodesPerTick, "", true, "0.0"),
            new("overload.encodes_per_tick.spectator", "Snapshot encodes per tick: spectator", edges.SpectatorEncodesPerTick, "", true, "0.0"),
            new("overload.views_reset_per_s", "Clients sent back to a shared keyframe per second", edges.ViewsResetPerSecond, "/s", true, "0.0"),
            new("overload.handshakes_shed_per_s", $"New handshakes shed per second ({DegradationSecond.ShedReason})", edges.ShedPerSecond, "/s", true, "0.0"),
        ];
    }

    private static IEnumerable<ReportSection> OverloadSections(RunResult r)
    {
        var phases = Phases(r);
        if (phases.Count == 0)
        {
            yield break;
        }
        var o = r.Options;
        var plan = string.Join(", ", OverloadPlan.Phases(o).Select(p => p.PlayersPerSecond > 0
            ? string.Create(s_inv, $"{p.Name} {p.Seconds} s (to {p.Players} players at {p.PlayersPerSecond:0.#}/s)")
            : string.Create(s_inv, $"{p.Name} {p.Seconds} s ({p.Players} players)")));
        yield return PhaseTable(r, phases, "Overload: the phases",
            $"The knee load ({o.Knee} players) held as the healthy baseline, a ramp up to {o.Players} players, a hold there, a ramp down (players leave cleanly, " +
            $"with a disconnect) until the knee remains, and the knee load again. Each phase is a window of its own: {plan}, after a warm-up of {o.WarmupSeconds} s. " +
            "Snapshots per player per second are the snapshots applied over the player-seconds in rooms (the players change during the ramps).",
            PhaseFigures, "n/a");
        yield return PhaseTable(r, phases, "Overload: the server's degradation per phase",
            $"From the engine's /metrics ({r.AdminUrl ?? "not scraped"}): its overload level (the highest shard's, each second), snapshots sent and deferred, snapshot encodes per tick " +
            $"(per second / the tick rate, {o.TickRate} Hz) by kind, clients sent back to a shared keyframe, and new handshakes shed while over budget. " +
            $"\"{NotExported}\": the engine does not export that series; nothing is made up. Over time: the charts \"Overload: the server's degradation\".",
            PhaseDegradation, r.AdminUrl is null ? "not scraped" : NotExported);
        yield return PhaseDrops(r, phases);
        yield return RecoverySection(r);
    }

    private static ReportSection PhaseTable(RunResult r, List<WindowResult> phases, string title, string text, Func<RunResult, WindowResult, List<Figure>> figures, string missing)
    {
        var columns = phases.Select(w => figures(r, w)).ToList();
        var rows = columns[0].Select((f, i) => Row(f.Label, columns.Select(col => (ReportCell)(double.IsNaN(col[i].Value) ? missing : col[i].Formatted)))).ToList();
        return new ReportSection(title, text, new(["figure", .. phases.Select(PhaseHeader)], rows) { RightAligned = [false, .. phases.Select(_ => true)] });
    }

    private static ReportCell[] Row(ReportCell first, IEnumerable<ReportCell> rest) => [first, .. rest];

    private static string PhaseHeader(WindowResult w) => string.Create(s_inv, $"{w.Name} (s {w.StartSecond}–{w.EndSecond})");

    private static ReportSection PhaseDrops(RunResult r, List<WindowResult> phases)
    {
        var drops = phases.Select(w => DropsIn(r, w)).ToList();
        var rows = drops.SelectMany(d => d.Keys).Distinct().OrderByDescending(k => drops.Sum(d => d.GetValueOrDefault(k)))
            .Select(k => Row(k, drops.Select(d => (ReportCell)d.GetValueOrDefault(k).ToString(s_inv)))).ToList();
        rows.Add(Row("all", drops.Select(d => (ReportCell)d.Values.Sum().ToString(s_inv))));
        return new ReportSection("Overload: the server's drops by reason per phase",
            $"engine_packets_dropped_total by reason from /metrics ({r.AdminUrl ?? "not scraped"}), scraped at each phase's edges. " +
            $"`{DegradationSecond.ShedReason}`: new handshakes the server shed while over its budget; a reason with no drops in the run is not listed. " +
            "In the ramp down, `unknown_session` is mostly the repeats of each leaving player's disconnect (a client sends it three times; the first closes the session).",
            new(["reason", .. phases.Select(PhaseHeader)], rows) { RightAligned = [false, .. phases.Select(_ => true)] });
    }

    private static ReportSection RecoverySection(RunResult r)
    {
        var recovery = OverloadRecovery(r);
        var rows = recovery.Figures.Select(f => new ReportCell[]
        {
            f.Name,
            f.Measured ? f.KneeMedian.ToString("0.##", s_inv) + " " + f.Unit : "not measured",
            f.Measured ? (f.HigherIsBetter ? "≥ " : "≤ ") + f.Bound.ToString("0.##", s_inv) + " " + f.Unit : "",
            !f.Measured ? "" : f.SettledFromSecond is int s ? ReportCell.Verdict(string.Create(s_inv, $"second {s} ({s - 1 - recovery.RampDownEndSecond} s after)"), s - 1 - recovery.RampDownEndSecond <= RecoverySecondsBound)
                : ReportCell.Verdict("not by the end", false),
        }).ToList();
        var verdict = recovery.Seconds is int seconds
            ? $"**Recovered {seconds} s after the ramp down ended** (second {recovery.RampDownEndSecond}); the target is {RecoverySecondsBound} s."
            : "**Not recovered by the end of the run**: at least one figure was still outside its bound in the last second.";
        return new ReportSection("Overload: recovery",
            $"The rule: the first second after the ramp down from which every per-second figure below is within {Recovery.TolerancePct:0}% of its median over the knee phase " +
            "on its worse side (more snapshots or lower latency than at the knee is not held against it) and stays there to the end of the run. A second without a value " +
            "(no input acknowledged, no stats line) does not count as within. The recovery time is that second's start minus the end of the ramp down. " + verdict +
            " Each figure against its knee median over time: the chart \"Overload: recovery figures against the knee\".",
            new(["figure (per second)", "knee median", "bound", "back for good from"], rows));
    }

    private static JsonObject OverloadJson(RunResult r)
    {
        var (budget, source) = TickBudget(r);
        var recovery = OverloadRecovery(r);
        return new JsonObject
        {
            ["knee"] = r.Options.Knee,
            ["peak"] = r.Options.Players,
            ["join_rate"] = r.Options.JoinRate,
            ["leave_rate"] = Json(r.Options.LeaveRate),
            ["tick_budget_us"] = Json(budget),
            ["tick_budget_source"] = source,
            ["phases"] = new JsonObject(Phases(r).Select(w => KeyValuePair.Create(w.Name, (JsonNode?)new JsonObject
            {
                ["start_second"] = w.StartSecond,
                ["end_second"] = w.EndSecond,
                ["figures"] = new JsonObject(PhaseFigures(r, w).Select(f => KeyValuePair.Create(f.Key, Json(f.Value)))),
                ["degradation"] = new JsonObject(PhaseDegradation(r, w).Where(f => !f.Key.StartsWith("snapshots.", StringComparison.Ordinal))
                    .Select(f => KeyValuePair.Create(f.Key, Json(f.Value)))),
                ["server_drops"] = new JsonObject(DropsIn(r, w).Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))),
            }))),
            ["recovery"] = new JsonObject
            {
                ["seconds"] = recovery.Seconds,
                ["settled_from_second"] = recovery.SettledFromSecond,
                ["ramp_down_end_second"] = recovery.RampDownEndSecond,
                ["tolerance_pct"] = Recovery.TolerancePct,
                ["figures"] = new JsonArray([.. recovery.Figures.Select(f => (JsonNode?)new JsonObject
                {
                    ["name"] = f.Name,
                    ["knee_median"] = Json(f.KneeMedian),
                    ["bound"] = Json(f.Bound),
                    ["settled_from_second"] = f.SettledFromSecond,
                })]),
            },
            ["targets"] = TargetsJson(OverloadTargets(r)),
        };
    }

    /// <summary>Snapshots applied over the player-seconds in rooms: a fair rate while the players change.</summary>
    private static double SnapshotsPerPlayer(RunResult r, WindowResult w)
    {
        var inRooms = InRoomsBySecond(r);
        var playerSeconds = r.Seconds.Select((s, i) => s.Second > w.StartSecond && s.Second <= w.EndSecond ? inRooms[i] : 0).Sum();
        return playerSeconds == 0 ? double.NaN : w.Counters.SnapshotsApplied / playerSeconds;
    }

    /// <summary>A percentile in ms; NaN when nothing was recorded (not a 0 ms figure).</summary>
    private static double Ms(Percentiles p, double us) => p.Count == 0 ? double.NaN : us / 1000;

    /// <summary>/metrics at a window's edges: the swarm thread's own scrapes, else the monitor's nearest.</summary>
    private static (AdminSample? Start, AdminSample? End) AdminEdges(RunResult r, WindowResult w) =>
        (w.AdminStart ?? AdminAt(r, w.StartSecond), w.AdminEnd ?? AdminAt(r, w.EndSecond));

    /// <summary>A server counter's change over a window: its last value by the window's end minus its last by its start.</summary>
    private static double ServerDelta(RunResult r, WindowResult w, Func<ServerSample, double> value)
    {
        double At(int second) => r.Server.Where(s => s.Second <= second).Select(value).LastOrDefault(v => !double.IsNaN(v), double.NaN);
        return At(w.EndSecond) - At(w.StartSecond);
    }
}
