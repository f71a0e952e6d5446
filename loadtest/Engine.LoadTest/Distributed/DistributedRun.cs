using System.Globalization;
using System.Text.Json.Nodes;
using Engine.LoadTest.Metrics;
using Engine.LoadTest.Reports;

namespace Engine.LoadTest.Distributed;

/// <summary>
/// What the report says about a distributed run: the NATS server, the agents, each one's share and
/// what became of it. A lost agent is named with the last second it sent, and the text says that the
/// merged figures hold what it sent up to then and nothing after.
/// </summary>
internal sealed class DistributedRun(string natsUrl, DateTimeOffset startAt, int heartbeatTimeoutSeconds, IReadOnlyList<AgentTrack> agents)
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    public IReadOnlyList<AgentTrack> Agents { get; } = agents;

    public IEnumerable<AgentTrack> Lost => Agents.Where(a => a.Status == AgentStatus.Lost);

    /// <summary>The window's counts added over the agents (what the merged window holds).</summary>
    public SwarmCounters WindowTotal
    {
        get
        {
            var total = default(SwarmCounters);
            foreach (var a in Agents)
            {
                CounterSum.Add(ref total, a.WindowCounters);
            }
            return total;
        }
    }

    public string Describe() =>
        string.Join("; ", Agents.Select(a => $"{a.Id} ({a.Hello.Host}): {a.Share.Players} players from {ShareSplitter.Addresses(a.Share)}"));

    /// <summary>One line per lost agent, for the console.</summary>
    public IEnumerable<string> LostLines() =>
        Lost.Select(a => $"agent {a.Id} LOST after second {a.LastSecond} ({a.Reason}); the figures include what it sent up to then, nothing after");

    public ReportSection Section()
    {
        var text = string.Create(s_inv, $"{Agents.Count} agents over NATS ({natsUrl}) played the players together, started at {startAt:HH:mm:ss.fff} UTC. ") +
            "Every figure merges their streams: each agent sends each second's counts and each latency set's HdrHistogram of the second " +
            "(HdrHistogram's V2 encoding), and the coordinator adds the histograms and the counts, so percentiles are those of all the samples. " +
            "The server's side (CPU, RSS, stats line, /metrics) is sampled once, by the coordinator; swarm CPU and RSS are the agents' added up. " +
            string.Create(s_inv, $"An agent silent for {heartbeatTimeoutSeconds} s is lost.");
        var lost = Lost.ToList();
        text += lost.Count == 0
            ? " Every agent ran to the end."
            : " " + string.Join(" ", lost.Select(a => string.Create(s_inv,
                $"**Agent {a.Id} was lost after second {a.LastSecond}** ({a.Reason}): the figures include what it sent up to second {a.LastSecond} and nothing after; its {a.Share.Players} players still count in the targets.")));
        var rows = Agents.Select(a => new ReportCell[]
        {
            a.Id, a.Hello.Host, a.Share.Players.ToString(s_inv), $"{a.Share.FirstPlayerId} .. {a.Share.FirstPlayerId + a.Share.Players - 1}",
            ShareSplitter.Addresses(a.Share),
            a.Status == AgentStatus.Lost ? ReportCell.Verdict($"lost after second {a.LastSecond}", false)
                : ReportCell.Verdict(a.Reason is null ? "finished" : $"stopped: {a.Reason}", a.Reason is null),
            a.InRoomsLast.ToString(s_inv), a.WindowCounters.InputMessages.ToString(s_inv), a.WindowAcks.ToString(s_inv),
            a.WindowCounters.SnapshotsApplied.ToString(s_inv), a.WindowCounters.SnapshotsMissed.ToString(s_inv),
            a.CpuPercent.Count == 0 ? "" : a.CpuPercent.Average().ToString("0.0", s_inv),
        }).ToList();
        var total = WindowTotal;
        rows.Add([
            "all", "", Agents.Sum(a => a.Share.Players).ToString(s_inv), "", "", "", Agents.Sum(a => a.InRoomsLast).ToString(s_inv),
            total.InputMessages.ToString(s_inv), Agents.Sum(a => a.WindowAcks).ToString(s_inv), total.SnapshotsApplied.ToString(s_inv),
            total.SnapshotsMissed.ToString(s_inv), Agents.Sum(a => a.CpuPercent.Count == 0 ? 0 : a.CpuPercent.Average()).ToString("0.0", s_inv),
        ]);
        var table = new ReportTable(
            ["agent", "host", "players", "player ids", "source addresses", "status", "in rooms (last second)", "inputs sent (window)", "inputs acknowledged (window)",
                "snapshots applied (window)", "snapshots lost (window)", "CPU mean (%)"],
            rows)
        { RightAligned = [false, false, true, false, false, false, true, true, true, true, true, true] };
        return new ReportSection("Agents", text, table);
    }

    /// <summary>summary.json's "distributed": the agents, their shares, status and window counts, their sum, and the merged window's counts.</summary>
    public JsonObject Json(RunResult r) => new()
    {
        ["nats"] = natsUrl,
        ["start_utc"] = startAt.ToString("O", s_inv),
        ["heartbeat_timeout_s"] = heartbeatTimeoutSeconds,
        ["agents"] = new JsonArray([.. Agents.Select(a => (JsonNode?)new JsonObject
        {
            ["id"] = a.Id,
            ["host"] = a.Hello.Host,
            ["cores"] = a.Hello.Cores,
            ["players"] = a.Share.Players,
            ["first_player_id"] = a.Share.FirstPlayerId,
            ["source_addresses"] = ShareSplitter.Addresses(a.Share),
            ["status"] = a.Status.ToString().ToLowerInvariant(),
            ["reason"] = a.Reason,
            ["last_second"] = a.LastSecond,
            ["window"] = Counts(a.WindowCounters, a.WindowDatagramsUp, a.WindowDatagramsDown, a.WindowAcks),
        })]),
        ["window_sum_of_agents"] = Counts(WindowTotal, Agents.Sum(a => a.WindowDatagramsUp), Agents.Sum(a => a.WindowDatagramsDown), Agents.Sum(a => a.WindowAcks)),
        ["window_merged"] = Counts(r.Window, r.WindowDatagramsUp, r.WindowDatagramsDown, r.Ack.Count),
    };

    private static JsonObject Counts(SwarmCounters c, long datagramsUp, long datagramsDown, long acks) => new()
    {
        ["input_messages"] = c.InputMessages,
        ["inputs_acknowledged"] = acks,
        ["snapshots_applied"] = c.SnapshotsApplied,
        ["snapshots_missed"] = c.SnapshotsMissed,
        ["handshakes_completed"] = c.HandshakesCompleted,
        ["datagrams_up"] = datagramsUp,
        ["datagrams_down"] = datagramsDown,
    };
}
