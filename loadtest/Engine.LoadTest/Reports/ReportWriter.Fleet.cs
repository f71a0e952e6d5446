using System.Globalization;
using System.Text.Json.Nodes;
using Engine.LoadTest.Fleet;
using Engine.LoadTest.Metrics;

namespace Engine.LoadTest.Reports;

/// <summary>
/// A fleet run's part of the report: players and CPU per node, from the backend's GET /v1/nodes each
/// second (what each node last wrote to the directory), and the matchmaking calls every ticket took.
/// </summary>
internal static partial class ReportWriter
{
    /// <summary>One node over the window: its sessions (players) and CPU, mean and highest, and where it ended.</summary>
    internal sealed record NodeFigures(string Id, string Address, string State, double PlayersMean, int PlayersMax, int PlayersEnd, int RoomPlayersEnd, int RoomsEnd, double CpuPctMean, double CpuPctMax);

    /// <summary>Every node seen in the window, by id; a node that left the directory keeps the seconds it was there.</summary>
    public static List<NodeFigures> Nodes(RunResult r)
    {
        var samples = ServerIn(r, r.WindowStartSecond, r.WindowEndSecond).Where(s => s.Nodes is not null).ToList();
        if (samples.Count == 0)
        {
            samples = [.. r.Server.Where(s => s.Nodes is not null)];
        }
        var last = samples.Count == 0 ? [] : samples[^1].Nodes!;
        return [.. samples.SelectMany(s => s.Nodes!).GroupBy(n => n.Id).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var end = last.FirstOrDefault(n => n.Id == g.Key);
            var latest = g.Last();
            return new NodeFigures(g.Key, latest.Address, end?.State ?? "gone", g.Average(n => n.Sessions), g.Max(n => n.Sessions), end?.Sessions ?? 0,
                end?.Players ?? 0, end?.Rooms ?? 0, g.Average(n => n.Cpu) * 100, g.Max(n => n.Cpu) * 100);
        })];
    }

    /// <summary>Node ids in the order of the timeseries columns and the charts: every node any second saw.</summary>
    private static List<string> NodeIds(RunResult r) =>
        [.. r.Server.Where(s => s.Nodes is not null).SelectMany(s => s.Nodes!).Select(n => n.Id).Distinct().Order(StringComparer.Ordinal)];

    private static IEnumerable<Figure> FleetFigures(RunResult r)
    {
        if (r.Matchmaking is not { } m)
        {
            yield break;
        }
        var nodes = Nodes(r);
        yield return new("fleet.nodes", "Nodes that held players (from the directory)", nodes.Count(n => n.PlayersMax > 0), "", false, "0");
        yield return new("fleet.players_end", "Players on the nodes at the end of the window (their sessions, from the directory)", nodes.Sum(n => n.PlayersEnd), "", false, "0");
        yield return new("matchmaking.calls", "Matchmaking calls to the backend (whole run)", m.Calls, "", false, "0");
        yield return new("matchmaking.failures", "Matchmaking calls refused or unanswered (whole run)", m.Failures, "", true, "0");
        if (r.Options.Churns)
        {
            yield return new("matchmaking.rejoins_refused", "Resume tickets refused (the kept slot's node gone or draining; matchmade instead; whole run)", m.RejoinsRefused, "", true, "0");
        }
        yield return new("matchmaking.ms.p50", "Matchmaking HTTP time p50 (whole run)", m.Latency.P50 / 1000, "ms", true, "0.00");
        yield return new("matchmaking.ms.p99", "Matchmaking HTTP time p99 (whole run)", m.Latency.P99 / 1000, "ms", true, "0.00");
        yield return new("matchmaking.ms.max", "Matchmaking HTTP time max (whole run)", m.Latency.Max / 1000, "ms", true, "0.00");
        yield return new("matchmaking.tickets_expired", "Tickets too close to their expiry when their player's turn came (asked again)", r.RunTotal.TicketsExpired, "", true, "0");
        yield return new("matchmaking.ticket_rooms_refused", "Ticket rooms that refused their player (filled or closed meanwhile; it quick-matched instead)", r.RunTotal.TicketRoomsRefused, "", true, "0");
    }

    private static IEnumerable<ReportSection> FleetSections(RunResult r)
    {
        if (r.Matchmaking is not { } m)
        {
            yield break;
        }
        var inv = CultureInfo.InvariantCulture;
        var nodes = Nodes(r);
        var rows = nodes.Select(n => new ReportCell[]
        {
            n.Id, n.Address, n.State, n.PlayersMean.ToString("0.0", inv), n.PlayersMax.ToString(inv), n.PlayersEnd.ToString(inv), n.RoomsEnd.ToString(inv),
            n.CpuPctMean.ToString("0.0", inv) + "%", n.CpuPctMax.ToString("0.0", inv) + "%",
        }).ToList();
        rows.Add(["all", "", "", nodes.Sum(n => n.PlayersMean).ToString("0.0", inv), "", nodes.Sum(n => n.PlayersEnd).ToString(inv), nodes.Sum(n => n.RoomsEnd).ToString(inv), "", ""]);
        var failed = r.Server.Count(s => s.Nodes is null);
        yield return new ReportSection("Nodes",
            $"Per node from the directory: the backend's `GET {r.Backend}v1/nodes` once a second, what each node last wrote to Redis (it renews at least once a second, so a figure lags by up to a second). " +
            "Players are the node's sessions; CPU is the node process's share of its machine's cores over its last renewal. Over the window " +
            string.Create(inv, $"(seconds {r.WindowStartSecond}–{r.WindowEndSecond}); \"end\" is the window's last reading. ") +
            "The single-server figures (server CPU and RSS from /proc, its stats line, its /metrics) do not apply to a fleet and read n/a" +
            (failed > 0 ? string.Create(inv, $"; {failed} of {r.Server.Count} readings of the nodes failed.") : "."),
            new(["node", "address", "state at the end", "players mean", "players max", "players at the end", "rooms at the end", "CPU mean", "CPU max"], rows)
            {
                RightAligned = [false, false, false, true, true, true, true, true, true],
            });

        var mrows = new List<ReportCell[]>
        {
            new ReportCell[] { "calls (tickets asked for)", m.Calls.ToString(inv) },
            new ReportCell[] { "tickets: join a room", m.JoinTickets.ToString(inv) },
            new ReportCell[] { "tickets: quick match (the node opens a room)", m.QuickMatchTickets.ToString(inv) },
            new ReportCell[] { "HTTP time p50 / p99 / max", string.Create(inv, $"{m.Latency.P50 / 1000:0.00} / {m.Latency.P99 / 1000:0.00} / {m.Latency.Max / 1000:0.00} ms") },
            new ReportCell[] { "matchmaking refused or unanswered", new(m.Failures.ToString(inv), m.Failures == 0 ? CellTone.Good : CellTone.Bad) },
        };
        if (r.Options.Churns)
        {
            mrows.Add(["resume tickets refused (the kept slot's node gone or draining; matchmade instead)", m.RejoinsRefused.ToString(inv)]);
        }
        mrows.AddRange(m.FailuresByStatus.OrderByDescending(f => f.Value).Select(f => new ReportCell[] { "refused: " + f.Key, f.Value.ToString(inv) }));
        mrows.Add(["tickets past their expiry at their player's turn (asked again)", r.RunTotal.TicketsExpired.ToString(inv)]);
        mrows.Add(["ticket rooms that refused their player (filled or closed meanwhile; it quick-matched)", r.RunTotal.TicketRoomsRefused.ToString(inv)]);
        yield return new ReportSection("Matchmaking through the backend",
            $"Every player's handshake used a ticket from `POST {r.Backend}v1/matchmake` (player id = the swarm's, capacity = the room size {r.Options.RoomSize}); a new session after a lost one asked again" +
            (r.Options.Churns ? ", and a player resuming its kept slot asked `POST /v1/nodes/{id}/resume` for its node first. " : ". ") +
            $"At most {TicketQueue.MaxInFlight} calls were in flight, on tasks of their own, " +
            "each asked for half a second before its player's start. Whole run.",
            new ReportTable(["", ""], mrows) { RowHeaders = true });
    }

    private static JsonObject? FleetJson(RunResult r)
    {
        if (r.Matchmaking is not { } m)
        {
            return null;
        }
        return new JsonObject
        {
            ["backend"] = r.Backend?.ToString(),
            ["source"] = "per node from the directory (GET /v1/nodes once a second)",
            ["nodes"] = new JsonArray([.. Nodes(r).Select(n => (JsonNode?)new JsonObject
            {
                ["id"] = n.Id,
                ["address"] = n.Address,
                ["state_end"] = n.State,
                ["players_mean"] = Json(n.PlayersMean),
                ["players_max"] = n.PlayersMax,
                ["players_end"] = n.PlayersEnd,
                ["room_players_end"] = n.RoomPlayersEnd,
                ["rooms_end"] = n.RoomsEnd,
                ["cpu_pct_mean"] = Json(n.CpuPctMean),
                ["cpu_pct_max"] = Json(n.CpuPctMax),
            })]),
            ["node_reads_failed"] = r.Server.Count(s => s.Nodes is null),
            ["matchmaking"] = new JsonObject
            {
                ["calls"] = m.Calls,
                ["failures"] = m.Failures,
                ["rejoins_refused"] = m.RejoinsRefused,
                ["failures_by_status"] = new JsonObject(m.FailuresByStatus.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value))),
                ["join_tickets"] = m.JoinTickets,
                ["quick_match_tickets"] = m.QuickMatchTickets,
                ["ms_p50"] = Json(m.Latency.P50 / 1000),
                ["ms_p99"] = Json(m.Latency.P99 / 1000),
                ["ms_max"] = Json(m.Latency.Max / 1000),
                ["tickets_expired"] = r.RunTotal.TicketsExpired,
                ["ticket_rooms_refused"] = r.RunTotal.TicketRoomsRefused,
                ["tickets_refused"] = r.RunTotal.TicketsRefused,
            },
        };
    }

    /// <summary>The timeseries columns of a fleet run: players and CPU per node, and the matchmaking calls of the second.</summary>
    private static string FleetHeader(List<string> nodeIds) =>
        nodeIds.Count == 0 ? "" : "," + string.Join(',', nodeIds.Select(id => $"node_{id}_players,node_{id}_cpu_pct")) + ",matchmaking_calls,matchmaking_p50_ms,matchmaking_p99_ms";

    private static IEnumerable<string> FleetCells(List<string> nodeIds, SecondSample s, ServerSample? v)
    {
        if (nodeIds.Count == 0)
        {
            yield break;
        }
        foreach (var id in nodeIds)
        {
            var node = v?.Nodes?.FirstOrDefault(n => n.Id == id);
            yield return I(node?.Sessions);
            yield return node is null ? "" : D(node.Cpu * 100);
        }
        yield return I(s.Matchmaking.Count);
        yield return s.Matchmaking.Count == 0 ? "" : D(s.Matchmaking.P50 / 1000);
        yield return s.Matchmaking.Count == 0 ? "" : D(s.Matchmaking.P99 / 1000);
    }
}
