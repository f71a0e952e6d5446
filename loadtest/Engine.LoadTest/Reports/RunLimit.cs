using System.Globalization;

namespace Engine.LoadTest.Reports;

/// <summary>
/// What limited a run, named in the report's first lines: datagrams the kernel dropped (full socket
/// buffers), the box's cores (server and swarm together near all of them), the server's own CPU
/// (its shards near full), or the swarm running behind its schedule (its players late, so every
/// latency includes the swarm's delay); or nothing. Every reason that applies, in that order. A
/// capacity search that none of these limited names the target that stopped it.
/// </summary>
internal static class RunLimit
{
    /// <summary>Of the CPU a side can use, the share above which it counts as saturated.</summary>
    public const double SaturatedShare = 0.85;

    /// <summary>The swarm's schedule lag p99 above which its players measurably run late.</summary>
    public const double LateSwarmMs = 10;

    public static IReadOnlyList<string> Reasons(double kernelDrops, double serverCpuPct, double swarmCpuPct, int serverThreads, int cores, double swarmLagP99Ms)
    {
        var inv = CultureInfo.InvariantCulture;
        var reasons = new List<string>();
        if (kernelDrops > 0)
        {
            reasons.Add(string.Create(inv, $"kernel drops: {kernelDrops:0} datagrams dropped on full socket buffers"));
        }
        if (serverCpuPct + swarmCpuPct >= SaturatedShare * cores * 100)
        {
            reasons.Add(string.Create(inv, $"the box's cores: server {serverCpuPct:0}% + swarm {swarmCpuPct:0}% of {cores * 100}%"));
        }
        if (serverCpuPct >= SaturatedShare * Math.Min(serverThreads, cores) * 100)
        {
            reasons.Add(string.Create(inv, $"server CPU: {serverCpuPct:0}% with {serverThreads} shard thread(s)"));
        }
        if (swarmLagP99Ms > LateSwarmMs)
        {
            reasons.Add(string.Create(inv, $"swarm schedule lag: p99 {swarmLagP99Ms:0.0} ms (its players ran late; latencies include it)"));
        }
        return reasons;
    }

    /// <summary>
    /// A capacity search's reasons: the run's own when any applies; else, when the search stopped at a
    /// step that missed a target (<paramref name="stoppedAtPlayers"/>, <paramref name="firstMissed"/>),
    /// that target, since it and not the box is what ended the search.
    /// </summary>
    public static IReadOnlyList<string> Search(IReadOnlyList<string> reasons, int? stoppedAtPlayers, Target? firstMissed) =>
        reasons.Count > 0 || stoppedAtPlayers is not int players || firstMissed is null
            ? reasons
            : [string.Create(CultureInfo.InvariantCulture, $"{firstMissed.Name} at {players:N0} players: {firstMissed.Measured} against {firstMissed.Goal}")];

    /// <summary>The report's line: "Limited by: ..." or "Limited by: nothing ...".</summary>
    public static string Line(IReadOnlyList<string> reasons) =>
        reasons.Count == 0
            ? "Limited by: nothing (no kernel drops, server and swarm below saturation, swarm on schedule)."
            : "Limited by: " + string.Join("; ", reasons) + ".";
}
