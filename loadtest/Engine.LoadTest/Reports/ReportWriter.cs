using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.LoadTest.Attack;
using Engine.LoadTest.Metrics;
using Engine.LoadTest.Overload;

namespace Engine.LoadTest.Reports;

/// <summary>
/// Writes reports/&lt;timestamp&gt;-&lt;scenario&gt;/: report.md, a self-contained report.html (charts as
/// base64 PNG), summary.json (every figure by key, what --baseline reads) and timeseries.csv; then
/// points reports/latest at it.
/// </summary>
internal static partial class ReportWriter
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    public static string Write(RunResult r)
    {
        var name = $"{r.StartedUtc:yyyyMMdd-HHmmss}-{r.Options.Scenario.Name}";
        var root = Path.GetFullPath(r.Options.ReportsDirectory);
        var directory = Path.Combine(root, name);
        Directory.CreateDirectory(directory);
        var figures = Figures(r);
        var targets = Targets(r);
        var baseline = r.Options.Baseline is { } path ? ReadBaseline(path) : null;

        File.WriteAllText(Path.Combine(directory, "summary.json"), Summary(r, figures, targets));
        File.WriteAllText(Path.Combine(directory, "timeseries.csv"), TimeSeries(r));
        var document = Document(r, figures, targets, baseline, Plots.Draw(r));
        File.WriteAllText(Path.Combine(directory, "report.md"), MarkdownRenderer.Render(document));
        File.WriteAllText(Path.Combine(directory, "report.html"), HtmlRenderer.Page(document, $"Load test {r.Options.Scenario} {r.StartedUtc:yyyy-MM-dd HH:mm}"));

        var latest = Path.Combine(root, "latest");
        if (File.Exists(latest) || Directory.Exists(latest) || new FileInfo(latest).LinkTarget is not null)
        {
            File.Delete(latest);
        }
        File.CreateSymbolicLink(latest, name);
        return Path.GetRelativePath(Environment.CurrentDirectory, directory);
    }

    public static string ConsoleSummary(RunResult r)
    {
        var sb = new StringBuilder();
        sb.AppendLine("  " + ProfileLine(r));
        sb.AppendLine("  Client sockets: " + r.SocketLayout.Description);
        sb.AppendLine("  " + RunLimit.Line(Limits(r)));
        foreach (var f in Figures(r).Where(f => s_console.Contains(f.Key)))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {f.Label,-52} {f.Formatted}");
        }
        foreach (var t in Targets(r))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  target {t.Verdict} {t.Name}: {t.Measured} (goal {t.Goal})");
        }
        return sb.ToString().TrimEnd();
    }

    private static readonly HashSet<string> s_console =
    [
        "players.in_rooms_end", "latency.input_ack_ms.p50", "latency.input_ack_ms.p99", "latency.input_ack_ms.p999", "latency.rtt_ms.p99",
        "snapshots.loss_pct", "snapshots.per_player_per_s", "bandwidth.down_bytes_per_s_per_player", "server.cpu_pct_avg", "server.cpu_us_per_player_second",
        "server.players_per_core", "kernel.floor_us_per_player_second", "kernel.players_per_core_at_floor", "server.rss_mb_max",
        "server.tick_p99_us_max", "server.tick_cpu_p99_us_max", "kernel.udp_rcvbuf_errors", "prediction.corrections", "swarm.cpu_us_per_player_second",
    ];

    /// <summary>Every figure of the summary, measured over the window (everyone in, the scenario's steady part).</summary>
    public static List<Figure> Figures(RunResult r)
    {
        var w = r.Window;
        var seconds = r.WindowSeconds;
        var clients = PlayersOverWindow(r);
        var inWindow = r.Server.Where(s => s.Second > r.WindowStartSecond && s.Second <= r.WindowEndSecond).ToList();
        if (inWindow.Count == 0)
        {
            inWindow = r.Server;
        }
        var stats = inWindow.Where(s => s.Stats is not null).Select(s => s.Stats!).ToList();
        var all = new List<Figure>
        {
            new("players.target", "Players (target)", r.Players, "", false, "0"),
            new("players.connected_end", "Connected at the end of the window", r.ConnectedAtWindowEnd, "", false, "0"),
            new("players.in_rooms_end", "Players in rooms at the end of the window", r.InRoomsAtWindowEnd, "", false, "0"),
            new("players.in_rooms_min", "Fewest players in rooms during the window", r.MinInRoomsInWindow, "", false, "0"),
            new("players.seconds_to_all_in", "Seconds until every client was in a room", r.ReachedTarget ? r.SecondsToTarget : double.NaN, "s", true, "0.0"),
            new("handshake.success_pct", "Handshakes completed / started", Pct(r.RunTotal.HandshakesCompleted, r.RunTotal.HandshakesStarted), "%", false, "0.00"),
            new("handshake.timeouts", "Handshake timeouts", r.RunTotal.HandshakeTimeouts, "", true, "0"),
            new("handshake.ms.p50", "Handshake time p50", r.Handshake.P50 / 1000, "ms", true),
            new("handshake.ms.p99", "Handshake time p99", r.Handshake.P99 / 1000, "ms", true),
            new("join.ms.p50", "Connect to seated in a room, p50", r.Join.P50 / 1000, "ms", true),
            new("join.ms.p99", "Connect to seated in a room, p99", r.Join.P99 / 1000, "ms", true),
            new("latency.input_ack_ms.p50", "Input → acknowledgement p50", r.Ack.P50 / 1000, "ms", true),
            new("latency.input_ack_ms.p90", "Input → acknowledgement p90", r.Ack.P90 / 1000, "ms", true),
            new("latency.input_ack_ms.p99", "Input → acknowledgement p99", r.Ack.P99 / 1000, "ms", true),
            new("latency.input_ack_ms.p999", "Input → acknowledgement p99.9", r.Ack.P999 / 1000, "ms", true),
            new("latency.input_ack_ms.max", "Input → acknowledgement max", r.Ack.Max / 1000, "ms", true),
            new("latency.input_ack_count", "Input messages acknowledged (measured)", r.Ack.Count, "", false, "0"),
            new("latency.rtt_ms.p50", "RTT (ping) p50", r.Rtt.P50 / 1000, "ms", true, "0.000"),
            new("latency.rtt_ms.p90", "RTT (ping) p90", r.Rtt.P90 / 1000, "ms", true, "0.000"),
            new("latency.rtt_ms.p99", "RTT (ping) p99", r.Rtt.P99 / 1000, "ms", true, "0.000"),
            new("latency.rtt_ms.p999", "RTT (ping) p99.9", r.Rtt.P999 / 1000, "ms", true, "0.000"),
            new("latency.rtt_ms.max", "RTT (ping) max", r.Rtt.Max / 1000, "ms", true, "0.000"),
            new("snapshots.per_player_per_s", "Snapshots applied per player per second", w.SnapshotsApplied / seconds / Math.Max(1, r.InRoomsAtWindowEnd + r.SpectatingAtWindowEnd), "/s", false, "0.00"),
            new("snapshots.expected_per_player_per_s", "Snapshot rate configured", r.Backend is null ? r.Options.SnapshotRate : double.NaN, "/s", false, "0"),
            new("snapshots.loss_pct", "Snapshot loss (gaps in ticks, incl. undecodable)", Pct(w.SnapshotsMissed, w.SnapshotsApplied + w.SnapshotsMissed), "%", true, "0.0000"),
            new("snapshots.missing_baseline", "Snapshots against a baseline no longer held", w.SnapshotsMissingBaseline, "", true, "0"),
            new("snapshots.stale", "Snapshots older than the newest held (reordered)", w.SnapshotsStale, "", true, "0"),
            new("snapshots.malformed", "Snapshots that failed to decode", w.SnapshotsMalformed, "", true, "0"),
            new("snapshots.jitter_ms.p50", "Snapshot inter-arrival jitter p50 (|gap − 1/rate|)", r.Jitter.P50 / 1000, "ms", true, "0.000"),
            new("snapshots.jitter_ms.p99", "Snapshot inter-arrival jitter p99", r.Jitter.P99 / 1000, "ms", true, "0.000"),
            new("snapshots.jitter_ms.max", "Snapshot inter-arrival jitter max", r.Jitter.Max / 1000, "ms", true, "0.000"),
            new("snapshots.bytes_avg", "Snapshot message size, mean", w.SnapshotsApplied == 0 ? double.NaN : w.SnapshotBytes / (double)w.SnapshotsApplied, "B", true, "0"),
            new("bandwidth.down_bytes_per_s_per_player", "Downstream per player (UDP payload)", r.WindowBytesDown / seconds / clients, "B/s", true, "0"),
            new("bandwidth.up_bytes_per_s_per_player", "Upstream per player (UDP payload)", r.WindowBytesUp / seconds / clients, "B/s", true, "0"),
            new("bandwidth.down_packets_per_s", "Datagrams server → swarm", r.WindowDatagramsDown / seconds, "/s", false, "0"),
            new("bandwidth.up_packets_per_s", "Datagrams swarm → server", r.WindowDatagramsUp / seconds, "/s", false, "0"),
            new("inputs.messages_per_s", "Input messages per second (all players)", w.InputMessages / seconds, "/s", false, "0"),
            new("inputs.not_generated", "Input ticks the swarm fell too far behind to play", w.InputsNotGenerated, "", true, "0"),
            new("prediction.corrections", "Prediction corrections", r.WindowCorrections, "", true, "0"),
            new("prediction.mispredictions", "Mispredictions", r.WindowMispredictions, "", true, "0"),
            new("prediction.max_correction_mm", "Largest correction (whole run)", r.MaxCorrectionMm, "mm", true, "0"),
            new("server.cpu_pct_avg", "Server CPU, mean (100% = one core)", Avg(inWindow.Select(s => s.CpuPercent)), "%", true, "0.0"),
            new("server.cpu_us_per_player_second", "Server CPU per player-second", CpuUsPerPlayerSecond(inWindow, clients), "µs", true, "0.0"),
            new("server.players_per_core", "Players one server core holds at that rate", 1e6 / CpuUsPerPlayerSecond(inWindow, clients), "", false, "0"),
            new("kernel.floor_us_per_player_second", $"Kernel floor per player-second: datagrams × {r.Options.FloorUsPerRoundTrip / 2:0.##} µs (half the C echo's server CPU per round trip)",
                (r.WindowDatagramsUp + r.WindowDatagramsDown) / seconds / clients * (r.Options.FloorUsPerRoundTrip / 2), "µs", true, "0.0"),
            new("kernel.players_per_core_at_floor", "Players one core would hold at the kernel floor", 1e6 / ((r.WindowDatagramsUp + r.WindowDatagramsDown) / seconds / clients * (r.Options.FloorUsPerRoundTrip / 2)), "", false, "0"),
            new("server.cpu_pct_max", "Server CPU, highest second", Max(inWindow.Select(s => s.CpuPercent)), "%", true, "0.0"),
            new("server.rss_mb_max", "Server RSS, highest", Max(r.Server.Select(s => s.RssMb)), "MB", true, "0.0"),
            new("server.tick_p99_us_max", "Server tick p99, worst second", stats.Count == 0 ? double.NaN : stats.Max(s => (double)s.TickP99Us), "µs", true, "0"),
            new("server.tick_p99_us_median", "Server tick p99, median second", stats.Count == 0 ? double.NaN : Median(stats.Select(s => (double)s.TickP99Us)), "µs", true, "0"),
            new("server.tick_cpu_p99_us_max", "Server tick p99 on CPU (without waiting for a core), worst second", CpuTicks(stats).DefaultIfEmpty(double.NaN).Max(), "µs", true, "0"),
            new("server.tick_cpu_p99_us_median", "Server tick p99 on CPU, median second", CpuTicks(stats).Any() ? Median(CpuTicks(stats)) : double.NaN, "µs", true, "0"),
            new("server.tick_max_us", "Server tick max (whole run)", stats.Count == 0 ? double.NaN : stats.Max(s => (double)s.TickMaxUs), "µs", true, "0"),
            new("server.rx_per_s", "Server datagrams in per second", stats.Count == 0 ? double.NaN : stats.Average(s => (double)s.RxPerSecond), "/s", false, "0"),
            new("server.tx_per_s", "Server datagrams out per second", stats.Count == 0 ? double.NaN : stats.Average(s => (double)s.TxPerSecond), "/s", false, "0"),
            new("server.drops", "Server drops (malformed, unknown session ...) in the window", stats.Count < 2 ? double.NaN : stats[^1].Drops - stats[0].Drops, "", true, "0"),
            new("server.kernel_drops", "Server socket kernel drops (SO_RXQ_OVFL) in the window", stats.Count < 2 ? double.NaN : stats[^1].KernelDrops - stats[0].KernelDrops, "", true, "0"),
            new("server.alloc_bytes_per_s", "Server allocation rate", stats.Count < 2 ? double.NaN : (stats[^1].Allocated - stats[0].Allocated) / (double)Math.Max(1, stats.Count - 1), "B/s", true, "0"),
            new("kernel.udp_rcvbuf_errors", "Kernel UDP RcvbufErrors in the window (/proc/net/snmp, all sockets)", inWindow.Count < 2 ? double.NaN : inWindow[^1].UdpRcvbufErrors - inWindow[0].UdpRcvbufErrors, "", true, "0"),
            new("swarm.cpu_pct_avg", "Swarm CPU, mean (it shares the cores)", Avg(inWindow.Select(s => s.SwarmCpuPercent)), "%", true, "0.0"),
            new("swarm.cpu_us_per_player_second", "Swarm CPU per player-second (decodes, predicts and verifies every snapshot)", Avg(inWindow.Select(s => s.SwarmCpuPercent)) / 100 * 1e6 / clients, "µs", true, "0.0"),
            new("swarm.rss_mb_max", "Swarm RSS, highest (all its players)", Max(r.Server.Select(s => s.SwarmRssMb)), "MB", true, "0"),
            new("swarm.slot_lag_ms.p99", "Swarm schedule lag p99 (players run late: the swarm is saturated)", r.SlotLag.P99 / 1000, "ms", true, "0.00"),
            new("swarm.slot_lag_ms.max", "Swarm schedule lag max", r.SlotLag.Max / 1000, "ms", true, "0.00"),
            new("swarm.client_kernel_drops", "Swarm socket kernel drops (whole run)", r.ClientKernelDrops, "", true, "0"),
            new("swarm.unrouted", "Datagrams the swarm could not route (whole run)", r.RunTotal.Unrouted, "", true, "0"),
            new("rooms.joins", "Room joins (whole run)", r.RunTotal.RoomJoins, "", false, "0"),
            new("rooms.join_failures", "Room requests refused (whole run)", r.RunTotal.RoomJoinFailures, "", true, "0"),
            new("rooms.shard_moves", "Sessions moved to another shard (whole run)", r.RunTotal.ShardMoves, "", false, "0"),
            new("rooms.server_disconnects", "Sessions the server ended (whole run)", r.RunTotal.ServerDisconnects, "", true, "0"),
        };
        if (r.Options.Scenario.Chats)
        {
            all.Add(new("chat.sent", "Chat lines sent", w.ChatSent, "", false, "0"));
            all.Add(new("chat.received", "Chat lines received (fan-out)", w.ChatReceived, "", false, "0"));
            all.Add(new("chat.refused", "Chat lines refused (rate limit)", w.ChatRefused, "", true, "0"));
            all.Add(new("chat.latency_ms.p50", "Chat delivery p50", r.Chat.P50 / 1000, "ms", true));
            all.Add(new("chat.latency_ms.p99", "Chat delivery p99", r.Chat.P99 / 1000, "ms", true));
        }
        if (r.Options.Churns)
        {
            all.Add(new("churn.moves", "Moves (quick match from a room)", w.Moves, "", false, "0"));
            all.Add(new("churn.leaves", "Leaves (disconnect + new session)", w.Leaves, "", false, "0"));
            all.Add(new("churn.drops", "Silent drops (timeout + resume)", w.Drops, "", false, "0"));
            all.Add(new("churn.resumes", "Kept slots resumed", w.Resumes, "", false, "0"));
            all.Add(new("churn.resume_failures", "Resumes refused", w.ResumeFailures, "", true, "0"));
        }
        if (r.Options.Scenario.ChecksLeaks)
        {
            all.AddRange(SoakFigures(r));
        }
        if (r.Options.Scenario.Attacks)
        {
            all.AddRange(HostileFigures(r));
        }
        all.AddRange(FleetFigures(r));
        if (r.Spectators > 0)
        {
            all.Add(new("spectators.target", "Spectators (target)", r.Spectators, "", false, "0"));
            all.Add(new("spectators.watching_end", "Spectators watching at the end", r.SpectatingAtWindowEnd, "", false, "0"));
        }
        return all;
    }

    /// <summary>The issue's targets for this machine.</summary>
    public static List<Target> Targets(RunResult r)
    {
        if (r.Options.Scenario.Overloads)
        {
            return OverloadTargets(r); // the issue's acceptance for overload replaces the steady-load targets
        }
        if (r.Options.Scenario.Steps)
        {
            return CapacityTargets(r);
        }
        var list = LoadTargets(Figures(r).ToDictionary(x => x.Key, x => x.Value), r.Players, r.Options.TotalClients);
        if (r.Options.Churns)
        {
            list.RemoveAt(0); // churn takes players out of their rooms on purpose
        }
        if (r.Options.Scenario.Attacks)
        {
            list.InsertRange(0, HostileTargets(r));
        }
        if (r.Options.Scenario.ChecksLeaks)
        {
            list.InsertRange(0, SoakTargets(r));
        }
        return list;
    }

    /// <summary>
    /// The targets a load must meet on this 2-core box (steady's, and each capacity step's), from
    /// figures under summary.json's keys; the first is the players in rooms.
    /// </summary>
    public static List<Target> LoadTargets(IReadOnlyDictionary<string, double> f, int players, int clients)
    {
        var kernel = Math.Max(Zero(f["server.kernel_drops"]), Zero(f["kernel.udp_rcvbuf_errors"]));
        return
        [
            new("every player connected and in a room", $"{players} for the whole window",
                $"{f["players.in_rooms_min"]:0} fewest, {f["players.in_rooms_end"]:0} at the end", f["players.in_rooms_min"] >= players),
            new("kernel receive drops", "0", kernel.ToString("0", s_inv), kernel == 0),
            Target.On("handshakes completed / started", "≥ 99.9%", f["handshake.success_pct"], v => v.ToString("0.00", s_inv) + "%", v => v >= 99.9),
            Target.On("snapshot loss", "< 0.1%", f["snapshots.loss_pct"], v => v.ToString("0.0000", s_inv) + "%", v => v < 0.1),
            Target.On("server tick p99 on CPU", "< 2 ms", f["server.tick_cpu_p99_us_max"], v => v.ToString("0", s_inv) + " µs (worst second)", v => v < 2000),
            Target.On("RTT p99", "≤ 10 ms", f["latency.rtt_ms.p99"], v => v.ToString("0.00", s_inv) + " ms", v => v <= 10),
            Target.On("input → acknowledgement p99", "≤ 250 ms", f["latency.input_ack_ms.p99"], v => v.ToString("0", s_inv) + " ms", v => v <= 250),
            Target.On("server RSS", $"≤ {RssGoalMb(clients):0} MB (50 MB + 1 KB per player)", f["server.rss_mb_max"], v => v.ToString("0.0", s_inv) + " MB", v => v <= RssGoalMb(clients)),
            Target.On("downstream per player", "≤ 3 KB/s", f["bandwidth.down_bytes_per_s_per_player"], v => v.ToString("0", s_inv) + " B/s", v => v <= 3000),
        ];
    }

    /// <summary>The seed's memory claim: about 50 MB plus 1 KB per player (60 MB at 10,000).</summary>
    private static double RssGoalMb(int players) => 50 + (players / 1000.0);

    private static string Summary(RunResult r, List<Figure> figures, List<Target> targets)
    {
        var json = new JsonObject
        {
            ["schema"] = 1,
            ["scenario"] = r.Options.Scenario.Name,
            ["started_utc"] = r.StartedUtc.ToString("O", s_inv),
            ["interrupted"] = r.Interrupted,
            ["parameters"] = new JsonObject(r.Options.Describe().Select(p => KeyValuePair.Create(p.Name, (JsonNode?)p.Value))),
            ["machine"] = new JsonObject
            {
                ["cores"] = r.Machine.Cores,
                ["cpu_model"] = r.Machine.CpuModel,
                ["kernel"] = r.Machine.Kernel,
                ["os"] = r.Machine.Os,
                ["memory_mb"] = r.Machine.MemoryMb,
                ["runtime"] = r.Machine.Runtime,
                ["load_average_at_start"] = r.LoadAverageAtStart,
                ["swarm_shares_cores_with_server"] = r.ServerStarted || r.ServerEndPoint.StartsWith("127.", StringComparison.Ordinal),
            },
            ["client_sockets"] = new JsonObject
            {
                ["layout"] = r.SocketLayout.SocketPerPlayer ? "socket_per_player" : "shared",
                ["sockets"] = r.SocketLayout.Sockets,
                ["addresses"] = r.SocketLayout.Addresses,
                ["real_players_allow_it"] = r.SocketLayout.SocketPerPlayer,
                ["description"] = r.SocketLayout.Description,
                ["sockets_bound"] = r.ClientSockets,
            },
            ["server"] = new JsonObject
            {
                ["endpoint"] = r.ServerEndPoint,
                ["started_by_swarm"] = r.ServerStarted,
                ["pid"] = r.ServerPid,
                ["arguments"] = new JsonArray([.. r.ServerArguments.Select(a => (JsonNode?)a)]),
                ["listening"] = r.ServerListening,
                ["exit_code"] = r.ServerExitCode,
                ["stop_seconds"] = r.ServerStopSeconds,
            },
            ["window"] = new JsonObject
            {
                ["start_second"] = r.WindowStartSecond,
                ["end_second"] = r.WindowEndSecond,
                ["seconds"] = r.WindowSeconds,
                ["all_in_rooms"] = r.ReachedTarget,
            },
            ["figures"] = new JsonObject(figures.Select(f => KeyValuePair.Create(f.Key, !double.IsFinite(f.Value) ? null : (JsonNode?)Math.Round(f.Value, 4)))),
            ["targets"] = TargetsJson(targets),
            ["admin_metrics"] = r.AdminUrl,
        };
        foreach (var (key, node) in ScenarioJson(r).ToList())
        {
            json[key] = node?.DeepClone();
        }
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static JsonArray TargetsJson(IEnumerable<Target> targets) =>
        [.. targets.Select(t => (JsonNode?)new JsonObject { ["name"] = t.Name, ["goal"] = t.Goal, ["measured"] = t.Measured, ["met"] = t.Met, ["measured_at_all"] = t.HasData })];

    private static Dictionary<string, double>? ReadBaseline(string path)
    {
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path))?["figures"] as JsonObject;
            return node?.Where(kv => kv.Value is JsonValue).ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>());
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or FormatException)
        {
            Console.Error.WriteLine($"loadtest: cannot read the baseline {path}: {e.Message}");
            return null;
        }
    }

    private static string TimeSeries(RunResult r)
    {
        var sb = new StringBuilder();
        var nodeIds = NodeIds(r);
        sb.AppendLine("second,phase,connected,in_rooms,playing,spectating,handshakes,room_joins,input_messages,snapshots_applied,snapshots_lost,snapshots_missing_baseline," +
            "ack_p50_ms,ack_p90_ms,ack_p99_ms,ack_p999_ms,ack_max_ms,rtt_p50_ms,rtt_p99_ms,jitter_p99_ms,up_bytes_per_player,down_bytes_per_player,datagrams_up,datagrams_down," +
            "corrections,mispredictions,chat_p99_ms,server_cpu_pct,server_rss_mb,server_sessions,server_rooms,server_rx_per_s,server_tx_per_s,server_tick_p99_us,server_tick_cpu_p99_us,server_drops,server_kernel_drops," +
            "udp_rcvbuf_errors,swarm_cpu_pct,swarm_kernel_drops,swarm_lag_p99_ms,swarm_rss_mb,metrics_sessions,metrics_rooms,metrics_drops_per_s,attack_packets_per_s," +
            string.Join(',', Enumerable.Range(0, AttackKinds.Count).Select(k => "attack_" + AttackKinds.Name((AttackKind)k).Replace('-', '_'))) +
            ",overload_level,snapshots_sent_per_s,snapshots_deferred_per_s,encodes_shared_per_tick,encodes_player_per_tick,encodes_spectator_per_tick,views_reset_per_s,overload_shed_per_s," +
            "gc_heap_mb,gc_committed_mb,gc_live_mb,gc_fragmentation_mb,gc_gen0_mb,gc_gen1_mb,gc_gen2_mb,gc_loh_mb,gc_poh_mb,gc_collections_gen0,gc_collections_gen1,gc_collections_gen2,gc_allocated_kb_per_s" +
            FleetHeader(nodeIds));
        // The overload policy's series, empty where the engine does not export them.
        var degradation = DegradationSecond.Series(r.Server, r.Options.TickRate).ToDictionary(d => d.Second);
        AdminSample? previousAdmin = null;
        // The engine's allocated bytes move in steps of its threads' allocation buffers (8 KB), more than
        // a second of a quiet engine: the rate is taken over the last ten seconds.
        var allocated = new Queue<(int Second, long Bytes)>();
        var servers = r.Server.ToDictionary(s => s.Second);
        var lastSwarmSecond = r.Seconds.Count == 0 ? 0 : r.Seconds[^1].Second;
        // After the players left (the soak's leak check), only the server's columns move.
        var after = r.Server.Where(v => v.Second > lastSwarmSecond).Select(v => new SecondSample { Second = v.Second, Phase = r.Leak is null ? "stopping" : "draining" });
        foreach (var s in r.Seconds.Concat(after))
        {
            servers.TryGetValue(s.Second, out var v);
            var per = Math.Max(1, s.Connected);
            var st = v?.Stats;
            string[] cells =
            [
                I(s.Second), s.Phase, I(s.Connected), I(s.InRooms), I(s.Playing), I(s.Spectating), I(s.Delta.HandshakesCompleted), I(s.Delta.RoomJoins),
                I(s.Delta.InputMessages), I(s.Delta.SnapshotsApplied), I(s.Delta.SnapshotsMissed), I(s.Delta.SnapshotsMissingBaseline),
                D(s.InputAck.P50 / 1000), D(s.InputAck.P90 / 1000), D(s.InputAck.P99 / 1000), D(s.InputAck.P999 / 1000), D(s.InputAck.Max / 1000),
                D(s.Rtt.P50 / 1000), D(s.Rtt.P99 / 1000), D(s.Jitter.P99 / 1000), D(s.BytesUp / (double)per), D(s.BytesDown / (double)per),
                I(s.DatagramsUp), I(s.DatagramsDown), I(s.Corrections), I(s.Mispredictions), D(s.Chat.P99 / 1000),
                D(v?.CpuPercent ?? double.NaN), D(v?.RssMb ?? double.NaN), I(st?.Sessions), I(st?.Rooms), I(st?.RxPerSecond), I(st?.TxPerSecond), I(st?.TickP99Us), I(st?.TickCpuP99Us),
                I(st?.Drops), I(st?.KernelDrops), I(v?.UdpRcvbufErrors), D(v?.SwarmCpuPercent ?? double.NaN), I(s.ClientKernelDrops), D(s.SlotLag.P99 / 1000), D(v?.SwarmRssMb ?? double.NaN),
                I(v?.Admin?.Sessions), I(v?.Admin?.Rooms), I(v?.Admin is { } a && previousAdmin is not null ? a.TotalDrops - previousAdmin.TotalDrops : null), I(s.AttackByKind?.Sum()),
                .. Enumerable.Range(0, AttackKinds.Count).Select(k => I(s.AttackByKind?[k])),
                .. degradation.TryGetValue(s.Second, out var d)
                    ? new[] { D(d.Level), D(d.SentPerSecond), D(d.DeferredPerSecond), D(d.SharedEncodesPerTick), D(d.PlayerEncodesPerTick), D(d.SpectatorEncodesPerTick), D(d.ViewsResetPerSecond), D(d.ShedPerSecond) }
                    : Enumerable.Repeat("", 8),
                .. GcCells(v?.Admin?.Gc, AllocatedKbPerSecond(allocated, s.Second, v?.Admin?.Gc.AllocatedBytes)),
                .. FleetCells(nodeIds, s, v),
            ];
            previousAdmin = v?.Admin ?? previousAdmin;
            sb.AppendLine(string.Join(',', cells));
        }
        return sb.ToString();
    }

    /// <summary>Managed allocation per second over the scrapes of the last ten seconds (this one included); NaN until there are two.</summary>
    internal static double AllocatedKbPerSecond(Queue<(int Second, long Bytes)> recent, int second, long? bytes)
    {
        if (bytes is not long now)
        {
            return double.NaN;
        }
        recent.Enqueue((second, now));
        while (recent.Peek().Second < second - 10)
        {
            recent.Dequeue();
        }
        var (since, before) = recent.Peek();
        return second > since ? (now - before) / 1024.0 / (second - since) : double.NaN;
    }

    /// <summary>The GC's columns of timeseries.csv: sizes in MB, collections cumulative (each generation's own), and the allocation rate.</summary>
    private static IEnumerable<string> GcCells(GcSample? gc, double allocatedKbPerSecond)
    {
        static string Mb(long? bytes) => bytes is long b ? D(b / 1048576.0) : "";
        yield return Mb(gc?.HeapBytes);
        yield return Mb(gc?.CommittedBytes);
        yield return Mb(gc?.LiveBytes);
        yield return Mb(gc?.FragmentedBytes);
        foreach (var generation in GcSample.Generations)
        {
            yield return Mb(gc is not null && gc.GenerationBytes.TryGetValue(generation, out var b) ? b : null);
        }
        for (var generation = 0; generation <= 2; generation++)
        {
            yield return I(gc?.CollectionsOf(generation));
        }
        yield return D(allocatedKbPerSecond);
    }

    /// <summary>The report as one document, written as report.md and report.html alike.</summary>
    public static ReportDocument Document(RunResult r, List<Figure> figures, List<Target> targets, Dictionary<string, double>? baseline, IEnumerable<(string Title, byte[] Png)> charts)
    {
        var players = r.Options.Scenario.Overloads ? $"{r.Options.Knee} → {r.Players} → {r.Options.Knee} players" : $"{r.Players} players{(r.Spectators > 0 ? $" + {r.Spectators} spectators" : "")}";
        var doc = new ReportDocument($"Load test: {r.Options.Scenario}, {players}");
        doc.Paragraph(r.Options.Scenario.Overloads
            ? string.Create(s_inv, $"Run started {r.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC. Each phase is a window of its own (the tables below); the figures at the end are the last phase's, from second {r.WindowStartSecond} to {r.WindowEndSecond}. ") +
                (r.ReachedTarget ? string.Create(s_inv, $"The knee's {r.Options.Knee} players were all in rooms {r.SecondsToTarget:0.0} s after the start.") : "**Not every one of the knee's players reached a room** by the connect time-out.") +
                (r.Interrupted ? " **The run was interrupted (Ctrl+C).**" : "")
            : string.Create(s_inv, $"Run started {r.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC. Figures are measured over the window from second {r.WindowStartSecond} to {r.WindowEndSecond} ({r.WindowSeconds:0} s)") +
                (r.ReachedTarget ? string.Create(s_inv, $", which opened once every client was in a room ({r.SecondsToTarget:0.0} s after the start)") : ", which opened at the connect time-out: **not every client reached a room**") +
                ", unless a line says \"whole run\"." + (r.Interrupted ? " **The run was interrupted (Ctrl+C).**" : ""));
        doc.Paragraph($"**{RunLimit.Line(Limits(r))}** {ProfileLine(r)} Client sockets: {r.SocketLayout.Description}.");
        doc.Note(SharedCoresNote(r));

        doc.Heading(2, "Targets");
        doc.Table(new ReportTable(["target", "goal", "measured", ""], [.. targets.Select(t => new[] { t.Name, t.Goal, t.Measured, t.HasData ? ReportCell.Verdict(t.Met ? "met" : "missed", t.Met) : "not measured" })]));
        foreach (var section in ScenarioSections(r))
        {
            doc.Section(section);
        }

        doc.Heading(2, "Charts");
        foreach (var (title, png) in charts)
        {
            doc.Chart(title, png);
        }
        doc.Paragraph(r.Windows.Count > 1
            ? $"Dashed lines: the stages ({string.Join(", ", r.Stages.Select(st => $"{st.Name} from second {st.StartSecond}"))}) and the end of the last window."
            : "Dashed lines: the measured window.");

        doc.Heading(2, r.Windows.Count > 1 ? $"Figures (the {r.Windows[^1].Name} window)" : "Figures");
        doc.Table(baseline is null
            ? new ReportTable(["figure", "value"], [.. figures.Select(f => new ReportCell[] { f.Label, f.Formatted })])
            : new ReportTable(["figure", "value", "baseline", "change"], [.. figures.Select(f => BaselineRow(f, baseline))]));

        foreach (var (section, items) in Context(r))
        {
            doc.Heading(2, section);
            doc.Table(ReportTable.KeyValue(items));
        }
        doc.Paragraph("Per-second figures: `timeseries.csv`; every figure by key: `summary.json` (pass it to `--baseline` to compare a later run).");
        return doc;
    }

    private static ReportCell[] BaselineRow(Figure f, Dictionary<string, double> baseline)
    {
        var b = baseline.TryGetValue(f.Key, out var v) ? v : (double?)null;
        var change = f.Change(b);
        var tone = change.Contains("better", StringComparison.Ordinal) ? CellTone.Good : change.Contains("worse", StringComparison.Ordinal) ? CellTone.Bad : CellTone.Plain;
        return [f.Label, f.Formatted, b is double x ? (f with { Value = x }).Formatted : "", new(change, tone)];
    }

    /// <summary>What limited the run, from the window's figures, or what stopped a capacity search (see <see cref="RunLimit"/>).</summary>
    public static IReadOnlyList<string> Limits(RunResult r)
    {
        var f = Figures(r).ToDictionary(x => x.Key, x => x.Value);
        var kernelDrops = Zero(f["server.kernel_drops"]) + Zero(f["kernel.udp_rcvbuf_errors"]) + Zero(f["swarm.client_kernel_drops"]);
        var reasons = RunLimit.Reasons(kernelDrops, Zero(f["server.cpu_pct_avg"]), Zero(f["swarm.cpu_pct_avg"]), r.Options.Shards ?? r.Machine.Cores, r.Machine.Cores, Zero(f["swarm.slot_lag_ms.p99"]));
        if (!r.Options.Scenario.Steps)
        {
            return reasons;
        }
        var stopped = CapacitySteps(r).FirstOrDefault(s => s.FirstMissed is not null);
        return RunLimit.Search(reasons, stopped?.Players, stopped?.FirstMissed);
    }

    /// <summary>The rate profile and what it came to on the wire.</summary>
    private static string ProfileLine(RunResult r)
    {
        var o = r.Options;
        var seconds = Math.Max(1e-9, r.WindowSeconds);
        var datagrams = (r.WindowDatagramsUp + r.WindowDatagramsDown) / seconds;
        var rates = r.Backend is null
            ? string.Create(s_inv, $"{o.TickRate} Hz simulation, {o.InputRate} Hz input messages, {o.SnapshotRate} Hz snapshots")
            : string.Create(s_inv, $"{o.InputRate} Hz input messages; the nodes' tick and snapshot rates are their own");
        return string.Create(s_inv, $"Rate profile: {o.ProfileLabel} ({rates}): ") +
            string.Create(s_inv, $"{datagrams:0} datagrams/s in the window, {datagrams / PlayersOverWindow(r):0.0} per player-second (up and down).");
    }

    private static string SharedCoresNote(RunResult r)
    {
        if (r.Backend is not null)
        {
            return $"**A fleet run**: the backend at {r.Backend} placed every player on one of {Nodes(r).Count} nodes, so the server-side figures are per node from the directory (the Nodes section), not from one server process. " +
                (Nodes(r).All(n => n.Address.StartsWith("127.", StringComparison.Ordinal)) ? $"The nodes listen on loopback: they share this machine's {r.Machine.Cores} cores with the swarm and each other. " : "") +
                $"Load average when the run started: {r.LoadAverageAtStart}.";
        }
        var here = Environment.MachineName;
        if (r.Distributed is { } distributed && distributed.Agents.Any(a => a.Hello.Host != here))
        {
            var local = distributed.Agents.Where(a => a.Hello.Host == here).Select(a => a.Id).ToList();
            return $"**The swarm ran on {distributed.Agents.Select(a => a.Hello.Host).Distinct().Count()} machine(s)** ({string.Join(", ", distributed.Agents.Select(a => $"{a.Id} on {a.Hello.Host}"))}); the server on {here} ({r.Machine.Cores} cores, {r.Machine.CpuModel}). " +
                (local.Count == 0 ? "No agent shared the server's cores." : $"Agents {string.Join(", ", local)} shared the server's cores: CPU they used is CPU the server did not get.") +
                $" Load average on the server's machine when the run started: {r.LoadAverageAtStart}.";
        }
        return SharedCoresNoteOneBox(r);
    }

    private static string SharedCoresNoteOneBox(RunResult r) =>
        $"**The swarm shares the machine's {r.Machine.Cores} cores with the server** (both on {r.Machine.CpuModel}): every figure is \"server + {r.Options.TotalClients} simulated clients on one box\", " +
        "and CPU the swarm uses is CPU the server does not get. Latencies include both processes' scheduling on the same cores. " +
        $"Load average when the run started: {r.LoadAverageAtStart}.";

    /// <summary>What the run ran on and with: the machine, the server, the scenario's parameters and what the swarm is.</summary>
    private static List<(string Section, List<(string, string)> Items)> Context(RunResult r) =>
    [
        ("Machine", [
            ("cores", r.Machine.Cores.ToString(s_inv)), ("CPU", r.Machine.CpuModel), ("kernel", r.Machine.Kernel), ("OS", r.Machine.Os),
            ("memory", $"{r.Machine.MemoryMb} MB"), ("runtime (swarm)", r.Machine.Runtime), ("load average at start", r.LoadAverageAtStart),
        ]),
        r.Backend is not null ? ("Fleet", [
            ("backend", r.Backend.ToString()), ("nodes", string.Join(", ", Nodes(r).Select(n => $"{n.Id} at {n.Address}"))),
            ("server-side figures", "per node from the directory (GET /v1/nodes once a second): players and CPU, in the Nodes section; the nodes run as they were started"),
        ]) : ("Server", [
            ("endpoint", r.ServerEndPoint), ("started by the swarm", r.ServerStarted ? "yes (the AOT binary)" : "no (attached)"),
            ("command line", r.ServerArguments.Count == 0 ? "(not known: attached)" : "engine " + string.Join(' ', r.ServerArguments)),
            ("said at start", r.ServerListening ?? ""), ("exit", r.ServerExitCode is int c ? string.Create(s_inv, $"code {c} after SIGTERM, {r.ServerStopSeconds:0.00} s") : r.ServerStarted ? "killed (did not stop in time)" : "n/a"),
        ]),
        ("Scenario", [.. r.Options.Describe()]),
        ("Swarm", [
            ("client sockets", r.SocketLayout.Description), ("bound", r.ClientSockets), ("thread", "one thread drives every client (sans-IO ClientConnection over BatchSocket recvmmsg/sendmmsg)"),
            ("per player", "handshake, quick match, one input per simulation tick sent at the input rate (plus two earlier ones again), prediction with Movement.Step (Predictor), delta decoding (dead-reckoned baseline) against the 5 frames it keeps, acknowledgement in the next input"),
            ("input → acknowledgement", "from sending the input message whose newest input is N to the first snapshot whose last-applied input is ≥ N; it includes waiting for the next snapshot tick (1/snapshot-rate)"),
            ("RTT", "each player's latest ping round trip, sampled once a second per player"),
        ]),
    ];

    private static string I(long? v) => v is long x ? x.ToString(s_inv) : "";

    private static string D(double v) => double.IsNaN(v) ? "" : v.ToString("0.###", s_inv);

    private static double Pct(long part, long whole) => whole == 0 ? double.NaN : part * 100.0 / whole;

    private static double Zero(double v) => double.IsNaN(v) ? 0 : v;

    /// <summary>
    /// What per-player figures divide by: the clients connected, averaged over the window's seconds. A run
    /// whose load changes (capacity steps, the overload ramp, churn) would otherwise be shared out over its
    /// ceiling, players who were never there.
    /// </summary>
    private static double PlayersOverWindow(RunResult r)
    {
        var connected = r.Seconds.Where(s => s.Second > r.WindowStartSecond && s.Second <= r.WindowEndSecond).Select(s => (double)s.Connected).ToList();
        return Math.Max(1, connected.Count == 0 ? r.Options.TotalClients : connected.Average());
    }

    /// <summary>The server's CPU over the window (100% = one core = 1e6 µs per second) shared out over its players.</summary>
    private static double CpuUsPerPlayerSecond(IEnumerable<ServerSample> inWindow, double players) =>
        Avg(inWindow.Select(s => s.CpuPercent)) / 100 * 1e6 / players;

    private static double Avg(IEnumerable<double> values)
    {
        var list = values.Where(v => !double.IsNaN(v)).ToList();
        return list.Count == 0 ? double.NaN : list.Average();
    }

    private static double Max(IEnumerable<double> values)
    {
        var list = values.Where(v => !double.IsNaN(v)).ToList();
        return list.Count == 0 ? double.NaN : list.Max();
    }

    /// <summary>Seconds whose stats line carried the tick's CPU time (engines before it print none).</summary>
    private static IEnumerable<double> CpuTicks(IEnumerable<ServerStats> stats) => stats.Where(s => s.TickCpuP99Us >= 0).Select(s => (double)s.TickCpuP99Us);

    private static double Median(IEnumerable<double> values)
    {
        var list = values.OrderBy(v => v).ToList();
        return list.Count == 0 ? double.NaN : list[list.Count / 2];
    }
}
