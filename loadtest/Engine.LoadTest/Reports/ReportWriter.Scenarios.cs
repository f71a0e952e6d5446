using System.Globalization;
using System.Text.Json.Nodes;
using Engine.LoadTest.Attack;
using Engine.LoadTest.Metrics;

namespace Engine.LoadTest.Reports;

/// <summary>The hostile and soak scenarios' parts of the report: clean vs attack, the attack delivered, the server's drops, RSS over the soak and the leak check.</summary>
internal static partial class ReportWriter
{
    /// <summary>The issue's bound for the hostile scenario: the legit players' p99 latency and loss within 10% of the clean window.</summary>
    public const double HostileTolerancePct = 10;

    /// <summary>Below this many percentage points a change of snapshot loss is one lost snapshot in ten thousand: not held against the attack.</summary>
    public const double LossNoisePoints = 0.01;

    /// <summary>The issue's bound for the soak: RSS at the end within 5% of RSS after warm-up.</summary>
    public const double SoakRssTolerancePct = 5;

    // Seconds averaged for "RSS after warm-up" and "RSS at the end", so one noisy sample decides nothing.
    private const int RssAverageSeconds = 5;

    private static readonly string[] s_comparisonKeys =
    [
        "latency.input_ack_ms.p50", "latency.input_ack_ms.p99", "latency.input_ack_ms.p999", "latency.rtt_ms.p99", "snapshots.loss_pct",
        "snapshots.jitter_ms.p99", "snapshots.per_player_per_s", "handshake.window_success_pct", "handshake.window_ms.p99", "prediction.corrections",
        "players.in_rooms_min", "bandwidth.down_bytes_per_s_per_player", "legit.packets_per_s", "server.cpu_pct_avg",
    ];

    /// <summary>The legit players' figures of one window, under the keys the comparison and summary.json use.</summary>
    public static List<Figure> WindowFigures(RunResult r, WindowResult w)
    {
        var c = w.Counters;
        var samples = ServerIn(r, w.StartSecond, w.EndSecond);
        return
        [
            new("latency.input_ack_ms.p50", "Input → acknowledgement p50", w.Ack.P50 / 1000, "ms", true),
            new("latency.input_ack_ms.p99", "Input → acknowledgement p99", w.Ack.P99 / 1000, "ms", true),
            new("latency.input_ack_ms.p999", "Input → acknowledgement p99.9", w.Ack.P999 / 1000, "ms", true),
            new("latency.rtt_ms.p99", "RTT (ping) p99", w.Rtt.P99 / 1000, "ms", true, "0.000"),
            new("snapshots.loss_pct", "Snapshot loss", w.LossPct, "%", true, "0.0000"),
            new("snapshots.jitter_ms.p99", "Snapshot jitter p99", w.Jitter.P99 / 1000, "ms", true, "0.000"),
            new("snapshots.per_player_per_s", "Snapshots applied per player per second", c.SnapshotsApplied / w.Seconds / Math.Max(1, w.InRoomsEnd + w.SpectatingEnd), "/s", false, "0.00"),
            new("handshake.window_started", "Legit handshakes started (reconnecting players)", c.HandshakesStarted, "", false, "0"),
            new("handshake.window_success_pct", "Legit handshakes completed / started", w.HandshakeSuccessPct, "%", false, "0.00"),
            new("handshake.window_ms.p99", "Legit handshake time p99", w.Handshake.P99 / 1000, "ms", true),
            new("prediction.corrections", "Prediction corrections", w.Corrections, "", true, "0"),
            new("players.in_rooms_min", "Fewest players in rooms", w.MinInRooms, "", false, "0"),
            new("bandwidth.down_bytes_per_s_per_player", "Downstream per player", w.BytesDown / w.Seconds / Math.Max(1, r.Options.TotalClients), "B/s", true, "0"),
            new("legit.packets_per_s", "Legit datagrams players → server per second", w.LegitPacketsPerSecond, "/s", false, "0"),
            new("server.cpu_pct_avg", "Server CPU, mean", Avg(samples.Select(s => s.CpuPercent)), "%", true, "0.0"),
        ];
    }

    private static List<ServerSample> ServerIn(RunResult r, int startSecond, int endSecond) =>
        r.Server.Where(s => s.Second > startSecond && s.Second <= endSecond).ToList();

    /// <summary>The /metrics scrape closest after a second boundary (the monitor samples just after each one).</summary>
    private static AdminSample? AdminAt(RunResult r, int second) =>
        r.Server.Where(s => s.Second >= second && s.Admin is not null).Select(s => s.Admin).FirstOrDefault();

    /// <summary>The server's drops by reason over a window, from its /metrics at the window's edges.</summary>
    public static Dictionary<string, long> DropsIn(RunResult r, WindowResult w)
    {
        var end = w.AdminEnd ?? AdminAt(r, w.EndSecond);
        return end is null ? [] : end.DropsSince(w.AdminStart ?? AdminAt(r, w.StartSecond));
    }

    public static WindowResult? Clean(RunResult r) => r.Windows.FirstOrDefault(w => w.Name == Scenario.CleanWindow);

    public static WindowResult? Attacked(RunResult r) => r.Windows.FirstOrDefault(w => w.Name == Scenario.AttackWindow);

    /// <summary>Attack datagrams per second over the attack window divided by the legit players' over the same window.</summary>
    public static double AchievedFactor(WindowResult attack) =>
        attack.Attack is null || attack.DatagramsUp == 0 ? double.NaN : attack.Attack.TotalSent / (double)attack.DatagramsUp;

    /// <summary>The hostile verdict lines: p99 input→ack and loss against the clean window, and whether the attack was delivered.</summary>
    public static List<Target> HostileTargets(RunResult r)
    {
        var clean = Clean(r);
        var attack = Attacked(r);
        if (clean is null || attack is null)
        {
            return [new("hostile: both windows measured", "clean and attack", "the run ended early", false)];
        }
        var inv = CultureInfo.InvariantCulture;
        var p99Clean = clean.Ack.P99 / 1000;
        var p99Attack = attack.Ack.P99 / 1000;
        var p99Ok = attack.Ack.Count > 0 && p99Attack <= p99Clean * (1 + (HostileTolerancePct / 100));
        var lossClean = Zero(clean.LossPct);
        var lossAttack = Zero(attack.LossPct);
        var lossOk = lossAttack <= (lossClean * (1 + (HostileTolerancePct / 100))) || lossAttack - lossClean <= LossNoisePoints;
        var factor = AchievedFactor(attack);
        return
        [
            new("attack: legit input → ack p99 within 10% of the clean window", $"≤ {p99Clean * (1 + (HostileTolerancePct / 100)):0.0} ms",
                $"{p99Attack:0.0} ms vs {p99Clean:0.0} ms clean ({ChangePct(p99Clean, p99Attack)})", p99Ok),
            new("attack: legit snapshot loss within 10% of the clean window", $"≤ {Math.Max(lossClean * (1 + (HostileTolerancePct / 100)), lossClean + LossNoisePoints):0.0000}% (10%, or {LossNoisePoints} points)",
                $"{lossAttack:0.0000}% vs {lossClean:0.0000}% clean", lossOk),
            new("attack delivered (for the two above to mean anything)", $"≥ 90% of {r.Options.AttackFactor.ToString(inv)}x the legit rate",
                double.IsNaN(factor) ? "n/a" : $"{factor:0.0}x", !double.IsNaN(factor) && factor >= r.Options.AttackFactor * 0.9),
        ];
    }

    /// <summary>Soak: RSS after warm-up vs at the end, and the leak check.</summary>
    public static List<Target> SoakTargets(RunResult r)
    {
        var (after, end, change) = SoakRss(r);
        var leak = r.Leak;
        return
        [
            new("soak: server RSS at the end within 5% of after warm-up", "≤ 5%", $"{end:0.0} MB vs {after:0.0} MB ({ChangePct(after, end)})",
                !double.IsNaN(change) && Math.Abs(change) <= SoakRssTolerancePct),
            new("soak: sessions leaked after every player left", "0", leak is null ? "not checked" : $"{leak.Sessions} (after {leak.WaitedSeconds:0.0} s)", leak is { Sessions: 0 }),
            new("soak: rooms leaked after every player left", "0", leak is null ? "not checked" : $"{leak.Rooms} on the shards, {leak.DirectoryRooms} in the room directory",
                leak is { Rooms: 0, DirectoryRooms: 0 }),
        ];
    }

    /// <summary>Mean RSS of the first seconds after warm-up and of the last seconds of the soak window, and the change in percent.</summary>
    public static (double AfterWarmup, double End, double ChangePct) SoakRss(RunResult r)
    {
        var (first, last) = SoakEdges(r);
        if (first.Count == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }
        var after = first.Average(s => s.RssMb);
        var end = last.Average(s => s.RssMb);
        return (after, end, (end - after) / after * 100);
    }

    /// <summary>The seconds averaged for "after warm-up" and "at the end": the first and the last few of the soak window with an RSS sample.</summary>
    private static (List<ServerSample> First, List<ServerSample> Last) SoakEdges(RunResult r)
    {
        var w = r.Windows.FirstOrDefault(x => x.Name == Scenario.SoakWindow);
        var samples = w is null ? [] : ServerIn(r, w.StartSecond, w.EndSecond).Where(s => !double.IsNaN(s.RssMb) && s.RssMb > 0).ToList();
        var n = Math.Min(RssAverageSeconds, Math.Max(1, samples.Count / 2));
        return ([.. samples.Take(n)], [.. samples.TakeLast(n)]);
    }

    private static double MeanRss(List<ServerSample> samples) => samples.Count == 0 ? double.NaN : samples.Average(s => s.RssMb);

    /// <summary>A GC figure in MB averaged over some seconds' scrapes; NaN where the engine does not export it.</summary>
    private static double MeanMb(IEnumerable<ServerSample> samples, Func<GcSample, long?> figure)
    {
        var values = samples.Select(s => s.Admin is { } a ? figure(a.Gc) : null).OfType<long>().ToList();
        return values.Count == 0 ? double.NaN : values.Average() / 1048576.0;
    }

    /// <summary>The GC over the soak window: its collections by generation, its allocation rate, and what it held after warm-up and at the end.</summary>
    public static GcWindow SoakGc(RunResult r)
    {
        var w = r.Windows.FirstOrDefault(x => x.Name == Scenario.SoakWindow);
        var (first, last) = SoakEdges(r);
        var start = w is null ? null : w.AdminStart?.Gc ?? AdminAt(r, w.StartSecond)?.Gc;
        var end = w is null ? null : w.AdminEnd?.Gc ?? AdminAt(r, w.EndSecond)?.Gc;
        long? Collections(int generation) => end?.CollectionsOf(generation) - start?.CollectionsOf(generation);
        return new GcWindow(
            Collections(0), Collections(1), Collections(2),
            end?.AllocatedBytes - start?.AllocatedBytes is long allocated && w is not null ? allocated / 1024.0 / w.Seconds : double.NaN,
            MeanMb(first, g => g.CommittedBytes), MeanMb(last, g => g.CommittedBytes),
            MeanMb(first, g => g.LiveBytes), MeanMb(last, g => g.LiveBytes),
            MeanRss(first) - MeanMb(first, g => g.CommittedBytes), MeanRss(last) - MeanMb(last, g => g.CommittedBytes),
            w is null ? double.NaN : ServerIn(r, w.StartSecond, w.EndSecond).Select(s => s.Admin?.Gc.CommittedBytes - s.Admin?.Gc.LiveBytes)
                .OfType<long>().Select(b => b / 1048576.0).DefaultIfEmpty(double.NaN).Max());
    }

    private static IEnumerable<Figure> SoakFigures(RunResult r)
    {
        var (after, end, change) = SoakRss(r);
        var admin = r.Server.Where(s => s.Admin is not null).Select(s => s.Admin!).ToList();
        yield return new("soak.rss_after_warmup_mb", $"Server RSS after warm-up (mean of {RssAverageSeconds} s)", after, "MB", true, "0.0");
        yield return new("soak.rss_end_mb", $"Server RSS at the end of the soak (mean of {RssAverageSeconds} s)", end, "MB", true, "0.0");
        yield return new("soak.rss_change_pct", "Server RSS change, end vs after warm-up", change, "%", true, "0.00");
        var gc = SoakGc(r);
        yield return new("soak.gc_committed_after_warmup_mb", "GC committed after warm-up", gc.CommittedAfterWarmupMb, "MB", true, "0.0");
        yield return new("soak.gc_committed_end_mb", "GC committed at the end", gc.CommittedEndMb, "MB", true, "0.0");
        yield return new("soak.gc_live_after_warmup_mb", "Objects alive after the GC's last collection, after warm-up", gc.LiveAfterWarmupMb, "MB", true, "0.0");
        yield return new("soak.gc_live_end_mb", "Objects alive after the GC's last collection, at the end", gc.LiveEndMb, "MB", true, "0.0");
        yield return new("soak.gc_committed_over_live_max_mb", "GC committed beyond the objects alive, highest in the soak window", gc.SlackMaxMb, "MB", true, "0.0");
        yield return new("soak.rss_outside_gc_after_warmup_mb", "RSS outside the GC (code, native memory, stacks) after warm-up", gc.OutsideAfterWarmupMb, "MB", true, "0.0");
        yield return new("soak.rss_outside_gc_end_mb", "RSS outside the GC at the end", gc.OutsideEndMb, "MB", true, "0.0");
        yield return new("soak.gc_gen0_collections", "Generation 0 collections in the soak window", gc.Gen0 ?? double.NaN, "", false, "0");
        yield return new("soak.gc_gen1_collections", "Generation 1 collections in the soak window", gc.Gen1 ?? double.NaN, "", false, "0");
        yield return new("soak.gc_gen2_collections", "Generation 2 (full) collections in the soak window", gc.Gen2 ?? double.NaN, "", false, "0");
        yield return new("soak.gc_allocated_kb_per_s", "Allocated on the managed heap per second, soak window", gc.AllocatedKbPerSecond, "KB/s", true, "0.0");
        yield return new("soak.sessions_max", "Server sessions, highest (/metrics)", admin.Count == 0 ? double.NaN : admin.Max(a => a.Sessions), "", false, "0");
        yield return new("soak.rooms_max", "Server rooms, highest (/metrics)", admin.Count == 0 ? double.NaN : admin.Max(a => a.Rooms), "", false, "0");
        yield return new("soak.sessions_timed_out", "Sessions the server timed out (whole run)", admin.Count == 0 ? double.NaN : admin[^1].TimedOut, "", false, "0");
        yield return new("soak.leaked_sessions", "Sessions left after every player left", r.Leak?.Sessions ?? double.NaN, "", true, "0");
        yield return new("soak.leaked_rooms", "Rooms left on the shards after every player left", r.Leak?.Rooms ?? double.NaN, "", true, "0");
        yield return new("soak.leaked_directory_rooms", "Rooms left in the room directory after every player left", r.Leak?.DirectoryRooms ?? double.NaN, "", true, "0");
        yield return new("soak.leak_wait_s", "Seconds until the server held nothing (bounded)", r.Leak?.WaitedSeconds ?? double.NaN, "s", true, "0.0");
    }

    private static IEnumerable<Figure> HostileFigures(RunResult r)
    {
        if (Attacked(r) is not { } attack)
        {
            yield break;
        }
        yield return new("attack.factor_requested", "Attack factor asked", r.Options.AttackFactor, "x", false, "0.0");
        yield return new("attack.factor_achieved", "Attack factor achieved (attack / legit datagrams, attack window)", AchievedFactor(attack), "x", false, "0.00");
        yield return new("attack.packets_per_s", "Attack datagrams per second", (attack.Attack?.TotalSent ?? 0) / attack.Seconds, "/s", false, "0");
        yield return new("attack.server_drops_per_s", "Server drops per second in the attack window (/metrics)", DropsIn(r, attack).Values.Sum() / attack.Seconds, "/s", false, "0");
    }

    /// <summary>Sections only the hostile, soak and overload scenarios have.</summary>
    public static List<ReportSection> ScenarioSections(RunResult r)
    {
        var sections = new List<ReportSection>();
        if (r.Distributed is { } distributed)
        {
            sections.Add(distributed.Section());
        }
        sections.AddRange(FleetSections(r));
        if (r.Options.Scenario.Attacks && Clean(r) is { } clean && Attacked(r) is { } attack)
        {
            sections.Add(Comparison(r, clean, attack));
            sections.Add(AttackDelivered(r, attack));
            sections.Add(Drops(r, clean, attack));
        }
        if (r.Options.Scenario.ChecksLeaks)
        {
            sections.Add(Soak(r));
        }
        if (r.Options.Scenario.Overloads)
        {
            sections.AddRange(OverloadSections(r));
        }
        if (r.Options.Scenario.Steps)
        {
            sections.Add(CapacitySection(r));
        }
        return sections;
    }

    private static ReportSection Comparison(RunResult r, WindowResult clean, WindowResult attack)
    {
        var cleanFigures = WindowFigures(r, clean).ToDictionary(f => f.Key);
        var rows = new List<ReportCell[]>();
        foreach (var f in WindowFigures(r, attack).Where(f => s_comparisonKeys.Contains(f.Key) || f.Key == "handshake.window_started"))
        {
            var before = cleanFigures[f.Key];
            var verdict = f.Key switch
            {
                "latency.input_ack_ms.p99" => Verdict(HostileTargets(r)[0].Met),
                "snapshots.loss_pct" => Verdict(HostileTargets(r)[1].Met),
                _ => "",
            };
            rows.Add([f.Label, before.Formatted, f.Formatted, ChangePct(before.Value, f.Value), verdict]);
        }
        return new ReportSection("Legit players: clean window vs attack window",
            $"The same {r.Players} players, one window of {clean.Seconds:0} s without attack (seconds {clean.StartSecond}–{clean.EndSecond}) and then one of {attack.Seconds:0} s under attack " +
            $"(seconds {attack.StartSecond}–{attack.EndSecond}), both after a warm-up of {r.Options.WarmupSeconds} s. The issue's target: the legit players' p99 latency and loss within 10% of the clean window. " +
            $"Loss changes below {LossNoisePoints} percentage points (one snapshot in ten thousand) are not held against the attack. RTT is shown but not judged: at sub-millisecond loopback values 10% is below the scheduling noise of a shared machine.",
            new(["figure (legit players)", "clean", "attack", "change", "verdict"], rows));
    }

    private static ReportSection AttackDelivered(RunResult r, WindowResult attack)
    {
        var a = attack.Attack!;
        var inv = CultureInfo.InvariantCulture;
        var rows = new List<ReportCell[]>();
        for (var k = 0; k < AttackKinds.Count; k++)
        {
            var kind = (AttackKind)k;
            rows.Add([AttackKinds.Name(kind), (r.Options.AttackMix.Share(kind) * 100).ToString("0.#", inv) + "%", r.AttackRates[k].ToString("0", inv),
                (a.Sent[k] / attack.Seconds).ToString("0", inv), (a.Bytes[k] / attack.Seconds / 1024).ToString("0.0", inv), a.Unavailable[k].ToString(inv), AttackKinds.Expected(kind)]);
        }
        rows.Add(["all", "100%", r.AttackRates.Sum().ToString("0", inv), (a.TotalSent / attack.Seconds).ToString("0", inv), (a.TotalBytes / attack.Seconds / 1024).ToString("0.0", inv), a.Unavailable.Sum().ToString(inv), ""]);
        var factor = AchievedFactor(attack);
        return new ReportSection("The attack delivered",
            $"Asked: {r.Options.AttackFactor.ToString(inv)}x the {r.AttackBaseRate:0} legit datagrams/s the players sent in the clean window. Achieved: {a.TotalSent / attack.Seconds:0} attack datagrams/s against " +
            $"{attack.LegitPacketsPerSecond:0} legit datagrams/s in the attack window, a factor of {factor:0.00}. Sources: {r.AttackSources} (the replay-same kind resends from the players' own sockets). " +
            $"The server sent {a.Replies / attack.Seconds:0} datagrams/s ({a.ReplyBytes / attack.Seconds / 1024:0.0} KB/s, {Pct(a.ReplyBytes, a.TotalBytes):0.0}% of the attack's bytes) back to the attack's addresses; " +
            $"{a.SendDrops} attack datagrams could not leave the attacker's own sockets.",
            new(["kind", "share", "asked /s", "sent /s", "KB/s", "not built", "what the server should do"], rows));
    }

    private static ReportSection Drops(RunResult r, WindowResult clean, WindowResult attack)
    {
        var inv = CultureInfo.InvariantCulture;
        var during = DropsIn(r, attack);
        var before = DropsIn(r, clean);
        var rows = during.Keys.Union(before.Keys).OrderByDescending(k => during.GetValueOrDefault(k)).Select(k => new ReportCell[]
        {
            k, before.GetValueOrDefault(k).ToString(inv), during.GetValueOrDefault(k).ToString(inv), (during.GetValueOrDefault(k) / attack.Seconds).ToString("0", inv),
        }).ToList();
        rows.Add(["all", before.Values.Sum().ToString(inv), during.Values.Sum().ToString(inv), (during.Values.Sum() / attack.Seconds).ToString("0", inv)]);
        return new ReportSection("The server's drops by reason",
            $"From the engine's admin endpoint ({r.AdminUrl}, engine_packets_dropped_total by reason), scraped at each window's edges: the difference over each window. " +
            "The clean window's drops are the players' own stragglers (packets of a session that just left, duplicates the network made).",
            new(["reason", "clean window", "attack window", "attack window /s"], rows));
    }

    private static ReportSection Soak(RunResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = SoakFigures(r).Select(f => new ReportCell[] { f.Label, f.Formatted }).ToList();
        var leak = r.Leak;
        var text = $"Players churned (joins, leaves, room moves, silent drops that reconnect and resume) for {r.Options.WarmupSeconds} s of warm-up and {r.Options.DurationSeconds} s measured; then every player left " +
            $"and the swarm waited (at most {r.Options.LeakWaitSeconds} s) for the server to close every session and room. The engine ran with short windows so that wait is short: " +
            $"session timeout {r.Options.EngineTimeoutMs?.ToString(inv) ?? "default"} ms, reconnect window {r.Options.ReconnectWindowMs?.ToString(inv) ?? "default"} ms, empty-room grace {r.Options.EmptyRoomGraceMs?.ToString(inv) ?? "default"} ms. " +
            (leak is null ? "The leak check did not run (interrupted)." : leak.Settled
                ? $"The server held nothing {leak.WaitedSeconds:0.0} s after the last player left."
                : $"After {leak.WaitedSeconds:0.0} s it still held {leak.Sessions} sessions and {leak.Rooms} rooms: leaked.") +
            " RSS, sessions and rooms over time: the chart \"Server memory, sessions and rooms\" and timeseries.csv. What the RSS is made of, from the engine's GC (dotnet_gc_* on /metrics): " +
            "\"GC committed\" is the memory the GC holds, \"objects alive\" what its last collection found alive (older generations as they were when it collected only younger ones), " +
            "and \"RSS outside the GC\" the code, native memory and thread stacks; the charts \"Server memory against the GC\" and \"GC generations\" show them with the collections so far.";
        return new ReportSection("Soak: memory and leaks", text, new(["figure", "value"], rows));
    }

    private static ReportCell Verdict(bool met) => ReportCell.Verdict(met ? "met (≤ +10%)" : "missed (> +10%)", met);

    private static JsonObject ScenarioJson(RunResult r)
    {
        var json = new JsonObject();
        if (r.Distributed is { } distributed)
        {
            json["distributed"] = distributed.Json(r);
        }
        if (FleetJson(r) is { } fleet)
        {
            json["fleet"] = fleet;
        }
        if (r.Windows.Count > 1)
        {
            json["windows"] = new JsonObject(r.Windows.Select(w => KeyValuePair.Create(w.Name, (JsonNode?)WindowJson(r, w))));
        }
        if (r.Options.Scenario.Attacks && Attacked(r) is { } attack)
        {
            var a = attack.Attack!;
            json["hostile"] = new JsonObject
            {
                ["factor_requested"] = r.Options.AttackFactor,
                ["factor_achieved"] = Json(AchievedFactor(attack)),
                ["legit_packets_per_s_clean"] = Json(Clean(r)?.LegitPacketsPerSecond ?? double.NaN),
                ["attack_sources"] = r.AttackSources,
                ["attack"] = new JsonObject(Enumerable.Range(0, AttackKinds.Count).Select(k => KeyValuePair.Create(AttackKinds.Name((AttackKind)k), (JsonNode?)new JsonObject
                {
                    ["share"] = Json(r.Options.AttackMix.Share((AttackKind)k)),
                    ["asked_per_s"] = Json(r.AttackRates[k]),
                    ["sent_per_s"] = Json(a.Sent[k] / attack.Seconds),
                    ["bytes_per_s"] = Json(a.Bytes[k] / attack.Seconds),
                }))),
                ["server_replies_per_s"] = Json(a.Replies / attack.Seconds),
                ["targets"] = TargetsJson(HostileTargets(r)),
            };
        }
        if (r.Options.Scenario.Overloads)
        {
            json["overload"] = OverloadJson(r);
        }
        if (r.Options.Scenario.Steps)
        {
            json["capacity"] = CapacityJson(r);
        }
        if (r.Options.Scenario.ChecksLeaks)
        {
            var (after, end, change) = SoakRss(r);
            var gc = SoakGc(r);
            json["soak"] = new JsonObject
            {
                ["rss_after_warmup_mb"] = Json(after),
                ["rss_end_mb"] = Json(end),
                ["rss_change_pct"] = Json(change),
                ["gc"] = new JsonObject
                {
                    ["committed_after_warmup_mb"] = Json(gc.CommittedAfterWarmupMb),
                    ["committed_end_mb"] = Json(gc.CommittedEndMb),
                    ["live_after_warmup_mb"] = Json(gc.LiveAfterWarmupMb),
                    ["live_end_mb"] = Json(gc.LiveEndMb),
                    ["committed_over_live_max_mb"] = Json(gc.SlackMaxMb),
                    ["rss_outside_gc_after_warmup_mb"] = Json(gc.OutsideAfterWarmupMb),
                    ["rss_outside_gc_end_mb"] = Json(gc.OutsideEndMb),
                    ["gen0_collections"] = gc.Gen0,
                    ["gen1_collections"] = gc.Gen1,
                    ["gen2_collections"] = gc.Gen2,
                    ["allocated_kb_per_s"] = Json(gc.AllocatedKbPerSecond),
                },
                ["leaked_sessions"] = r.Leak?.Sessions,
                ["leaked_rooms"] = r.Leak?.Rooms,
                ["leaked_directory_rooms"] = r.Leak?.DirectoryRooms,
                ["leak_wait_s"] = r.Leak is null ? null : Json(r.Leak.WaitedSeconds),
                ["settled"] = r.Leak?.Settled,
                ["engine_timeout_ms"] = r.Options.EngineTimeoutMs,
                ["engine_reconnect_window_ms"] = r.Options.ReconnectWindowMs,
                ["engine_empty_room_grace_ms"] = r.Options.EmptyRoomGraceMs,
            };
        }
        return json;
    }

    private static JsonObject WindowJson(RunResult r, WindowResult w) => new()
    {
        ["start_second"] = w.StartSecond,
        ["end_second"] = w.EndSecond,
        ["figures"] = new JsonObject(WindowFigures(r, w).Select(f => KeyValuePair.Create(f.Key, Json(f.Value)))),
        ["server_drops"] = new JsonObject(DropsIn(r, w).Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))),
        ["attack_packets"] = w.Attack?.TotalSent,
    };

    private static JsonNode? Json(double v) => double.IsNaN(v) || double.IsInfinity(v) ? null : Math.Round(v, 4);

    /// <summary>"+12.3%" from <paramref name="before"/> to <paramref name="after"/>; "n/a" when there is nothing to compare.</summary>
    private static string ChangePct(double before, double after)
    {
        if (double.IsNaN(before) || double.IsNaN(after))
        {
            return "n/a";
        }
        if (before == 0)
        {
            return after == 0 ? "0%" : "from 0";
        }
        return ((after - before) / Math.Abs(before) * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%";
    }
}
