using Engine.LoadTest.Attack;
using Engine.LoadTest.Metrics;
using Engine.LoadTest.Overload;
using ScottPlot;
using ScottPlot.Plottables;

namespace Engine.LoadTest.Reports;

/// <summary>The report's charts, drawn with ScottPlot as PNG bytes (embedded in report.html as base64).</summary>
internal static class Plots
{
    private const int Width = 900;
    private const int Height = 360;

    public static IEnumerable<(string Title, byte[] Png)> Draw(RunResult r)
    {
        var seconds = r.Seconds;
        var server = r.Server;
        double[] xs = [.. seconds.Select(s => (double)s.Second)];
        double[] sx = [.. server.Select(s => (double)s.Second)];
        if (r.Options.Scenario.Overloads)
        {
            foreach (var chart in Overload(r, xs, sx))
            {
                yield return chart;
            }
        }

        if (r.Options.Scenario.Steps)
        {
            foreach (var chart in Capacity(r))
            {
                yield return chart;
            }
        }

        if (r.Matchmaking is not null)
        {
            foreach (var chart in Fleet(r, xs, sx))
            {
                yield return chart;
            }
        }

        yield return ("Input to acknowledgement latency and RTT", Draw("Input → acknowledgement latency (per second)", "ms", r, plot =>
        {
            Line(plot, xs, seconds.Select(s => s.InputAck.P50 / 1000), "ack p50");
            Line(plot, xs, seconds.Select(s => s.InputAck.P90 / 1000), "ack p90");
            Line(plot, xs, seconds.Select(s => s.InputAck.P99 / 1000), "ack p99");
            Line(plot, xs, seconds.Select(s => s.InputAck.P999 / 1000), "ack p99.9");
            Line(plot, xs, seconds.Select(s => s.Rtt.P99 / 1000), "RTT p99");
        }));
        yield return ("Throughput", Draw("Throughput", "per second", r, plot =>
        {
            Line(plot, xs, seconds.Select(s => (double)s.Delta.SnapshotsApplied), "snapshots applied (swarm)");
            Line(plot, xs, seconds.Select(s => (double)s.Delta.InputMessages), "input messages sent (swarm)");
            Line(plot, sx, server.Select(s => (double)(s.Stats?.RxPerSecond ?? double.NaN)), "server datagrams in");
            Line(plot, sx, server.Select(s => (double)(s.Stats?.TxPerSecond ?? double.NaN)), "server datagrams out");
        }));
        if (r.Backend is null) // a fleet's CPU is per node, in its own chart
        {
            yield return ("Server CPU and RSS", Draw("Server CPU and memory (the swarm's CPU for comparison)", "CPU %", r, plot =>
            {
                Line(plot, sx, server.Select(s => s.CpuPercent), "server CPU %");
                Line(plot, sx, server.Select(s => s.SwarmCpuPercent), "swarm CPU %");
                var rss = Line(plot, sx, server.Select(s => s.RssMb), "server RSS MB");
                rss.Axes.YAxis = plot.Axes.Right;
                plot.Axes.Right.Label.Text = "RSS MB";
            }));
        }
        yield return ("Bandwidth per player", Draw("Bandwidth per player (UDP payload)", "bytes/s", r, plot =>
        {
            Line(plot, xs, seconds.Select(s => s.BytesDown / (double)Math.Max(1, s.Connected)), "down (server → player)");
            Line(plot, xs, seconds.Select(s => s.BytesUp / (double)Math.Max(1, s.Connected)), "up (player → server)");
        }));
        yield return ("Saturation", Draw("Who keeps up: server tick p99 (simulate + encode a shard's rooms) and swarm schedule lag p99", "µs", r, plot =>
        {
            Line(plot, sx, server.Select(s => (double)(s.Stats?.TickP99Us ?? double.NaN)), "server tick p99");
            Line(plot, sx, server.Select(s => s.Stats is { TickCpuP99Us: >= 0 } st ? st.TickCpuP99Us : double.NaN), "server tick p99 on CPU");
            Line(plot, xs, seconds.Select(s => s.SlotLag.P99), "swarm schedule lag p99");
        }));
        if (server.Any(s => s.Admin is not null))
        {
            yield return ("Server memory, sessions and rooms", Draw("Server RSS, sessions and rooms (from its /metrics)", "sessions, rooms", r, plot =>
            {
                Line(plot, sx, server.Select(s => s.Admin is { Sessions: >= 0 } a ? a.Sessions : double.NaN), "sessions");
                Line(plot, sx, server.Select(s => s.Admin is { Rooms: >= 0 } a ? a.Rooms : double.NaN), "rooms");
                var rss = Line(plot, sx, server.Select(s => s.RssMb), "server RSS MB");
                rss.Axes.YAxis = plot.Axes.Right;
                plot.Axes.Right.Label.Text = "RSS MB";
            }));
        }
        if (server.Any(s => s.Admin?.Gc.HasGenerations == true))
        {
            foreach (var chart in Gc(r, sx))
            {
                yield return chart;
            }
        }
        if (seconds.Any(s => s.AttackByKind is not null))
        {
            yield return ("Attack and the server's drops", Draw("Attack datagrams per second by kind, and the server's drops per second", "datagrams/s", r, plot =>
            {
                for (var k = 0; k < AttackKinds.Count; k++)
                {
                    var kind = k;
                    Line(plot, xs, seconds.Select(s => (double)(s.AttackByKind?[kind] ?? 0)), "attack: " + AttackKinds.Name((AttackKind)k));
                }
                Line(plot, xs, seconds.Select(s => (double)s.DatagramsUp), "legit datagrams (players)");
                double[] drops = new double[server.Count];
                for (var i = 1; i < server.Count; i++)
                {
                    drops[i] = server[i].Admin is { } now && server[i - 1].Admin is { } before ? now.TotalDrops - before.TotalDrops : double.NaN;
                }
                Line(plot, sx, drops, "server drops (all reasons)");
            }));
        }
        yield return ("Players", Draw("Players", "players", r, plot =>
        {
            Line(plot, xs, seconds.Select(s => (double)s.Connected), "connected");
            Line(plot, xs, seconds.Select(s => (double)s.InRooms), "in rooms (playing)");
            if (r.Spectators > 0)
            {
                Line(plot, xs, seconds.Select(s => (double)s.Spectating), "spectating");
            }
            Line(plot, xs, seconds.Select(s => (double)s.Delta.SnapshotsMissed), "snapshots lost (per s)");
        }));
    }

    /// <summary>
    /// Overload: the server's degradation per second (its level, snapshots per player delivered, sent
    /// and deferred; encodes per tick by kind, keyframe resets and shed handshakes) and the recovery
    /// figures against their knee medians. A series the engine does not export is left out, not drawn as 0.
    /// </summary>
    private static IEnumerable<(string Title, byte[] Png)> Overload(RunResult r, double[] xs, double[] sx)
    {
        var seconds = r.Seconds;
        var degradation = DegradationSecond.Series(r.Server, r.Options.TickRate);
        var exported = degradation.Any(d => !double.IsNaN(d.Level));
        yield return ("Overload: the server's degradation", Draw(exported
            ? "Overload: snapshots per player per second and the server's overload level"
            : "Overload: snapshots per player per second (the engine exports no overload metrics)", "snapshots per player per second", r, plot =>
        {
            var inRooms = ReportWriter.InRoomsBySecond(r);
            Line(plot, xs, seconds.Select((s, i) => inRooms[i] > 0 ? s.Delta.SnapshotsApplied / inRooms[i] : double.NaN), "applied per player (players)");
            plot.Axes.SetLimitsY(0, r.Options.SnapshotRate * 1.8); // room above the lines for the legend
            if (!exported)
            {
                return;
            }
            Line(plot, sx, degradation.Select(d => d.SentPerSecond / d.MeanSessions), "sent per session (server)");
            Line(plot, sx, degradation.Select(d => d.DeferredPerSecond / d.MeanSessions), "deferred per session (server)");
            var level = Line(plot, sx, degradation.Select(d => d.Level), "overload level (0 normal, 1 over, 2 far over)");
            level.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "overload level";
            plot.Axes.SetLimitsY(-0.1, 2.5, plot.Axes.Right);
        }));
        if (exported)
        {
            yield return ("Overload: encodes, keyframe resets and shed handshakes", Draw("Overload: snapshot encodes per tick by kind; keyframe resets and shed handshakes per second", "encodes per tick", r, plot =>
            {
                Line(plot, sx, degradation.Select(d => d.SharedEncodesPerTick), "encodes per tick: shared");
                Line(plot, sx, degradation.Select(d => d.PlayerEncodesPerTick), "encodes per tick: player");
                Line(plot, sx, degradation.Select(d => d.SpectatorEncodesPerTick), "encodes per tick: spectator");
                var reset = Line(plot, sx, degradation.Select(d => d.ViewsResetPerSecond), "sent back to a shared keyframe /s");
                var shed = Line(plot, sx, degradation.Select(d => d.ShedPerSecond), "handshakes shed /s");
                reset.Axes.YAxis = plot.Axes.Right;
                shed.Axes.YAxis = plot.Axes.Right;
                plot.Axes.Right.Label.Text = "per second";
                var highest = degradation.SelectMany(d => new[] { d.ViewsResetPerSecond, d.ShedPerSecond }).Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Max();
                plot.Axes.SetLimitsY(0, Math.Max(1, highest * 1.1), plot.Axes.Right);
            }));
        }
        var recovery = ReportWriter.OverloadRecovery(r);
        if (recovery.Figures.Any(f => f.Measured))
        {
            // From the knee on: before it the players are still arriving.
            var health = ReportWriter.Health(r, r.Windows.FirstOrDefault(w => w.Name == Scenario.KneeWindow)?.StartSecond ?? 0, int.MaxValue);
            double[] hx = [.. health.Select(h => (double)h.Second)];
            yield return ("Overload: recovery figures against the knee", Draw($"Overload: recovery figures as % of their knee median (bounds at ±{Recovery.TolerancePct:0}%, clipped at 300%)", "% of the knee median", r, plot =>
            {
                foreach (var f in recovery.Figures.Where(f => f.Measured && f.KneeMedian > 0))
                {
                    Line(plot, hx, health.Select(h => f.Of(h) / f.KneeMedian * 100), f.Name);
                }
                foreach (var y in new[] { 100 - Recovery.TolerancePct, 100 + Recovery.TolerancePct })
                {
                    var bound = plot.Add.HorizontalLine(y);
                    bound.LinePattern = LinePattern.Dotted;
                    bound.Color = Colors.Black;
                }
                plot.Axes.SetLimitsY(0, 300);
            }));
        }
    }

    /// <summary>A fleet run: each node's players (sessions) and CPU from the directory, and the matchmaking calls' HTTP time.</summary>
    private static IEnumerable<(string Title, byte[] Png)> Fleet(RunResult r, double[] xs, double[] sx)
    {
        var ids = r.Server.Where(s => s.Nodes is not null).SelectMany(s => s.Nodes!).Select(n => n.Id).Distinct().Order(StringComparer.Ordinal).ToList();
        double Of(ServerSample s, string id, Func<Fleet.NodeReading, double> figure) =>
            s.Nodes?.FirstOrDefault(n => n.Id == id) is { } node ? figure(node) : double.NaN;
        yield return ("Nodes: players per node", Draw("Players per node (its sessions, from the directory)", "players", r, plot =>
        {
            foreach (var id in ids)
            {
                Line(plot, sx, r.Server.Select(s => Of(s, id, n => n.Sessions)), id);
            }
            Line(plot, xs, r.Seconds.Select(s => (double)s.InRooms), "swarm: players in rooms");
        }));
        yield return ("Nodes: CPU per node", Draw("CPU per node (share of its machine's cores, from the directory)", "% of the node's cores", r, plot =>
        {
            foreach (var id in ids)
            {
                Line(plot, sx, r.Server.Select(s => Of(s, id, n => n.Cpu * 100)), id);
            }
            Line(plot, sx, r.Server.Select(s => s.SwarmCpuPercent), "swarm CPU (% of one core)");
        }));
        yield return ("Matchmaking", Draw("Matchmaking: the backend's HTTP time per second, and calls answered", "ms", r, plot =>
        {
            // Markers: the calls come in bursts (the connects), often a second or two of points.
            Line(plot, xs, r.Seconds.Select(s => s.Matchmaking.Count == 0 ? double.NaN : s.Matchmaking.P50 / 1000), "p50").MarkerSize = 6;
            Line(plot, xs, r.Seconds.Select(s => s.Matchmaking.Count == 0 ? double.NaN : s.Matchmaking.P99 / 1000), "p99").MarkerSize = 6;
            var calls = Line(plot, xs, r.Seconds.Select(s => (double)s.Matchmaking.Count), "calls answered per second (right axis)");
            calls.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "calls per second";
        }));
    }

    /// <summary>
    /// The server's RSS next to its garbage collector's figures (committed, the heap after the last
    /// collection, the objects alive in it), then the generations after each collection; collections so
    /// far on the right axis, so a step of RSS can be laid against the collection that made it.
    /// </summary>
    private static IEnumerable<(string Title, byte[] Png)> Gc(RunResult r, double[] sx)
    {
        var server = r.Server;
        static double Mb(long? bytes) => bytes is long b ? b / 1048576.0 : double.NaN;
        yield return ("Server memory against the GC", Draw("Server RSS against its GC: committed, heap after the last collection, objects alive in it", "MB", r, plot =>
        {
            Line(plot, sx, server.Select(s => s.RssMb), "server RSS");
            Line(plot, sx, server.Select(s => Mb(s.Admin?.Gc.CommittedBytes)), "GC committed");
            Line(plot, sx, server.Select(s => Mb(s.Admin?.Gc.AfterCollectionBytes)), "GC heap after the last collection");
            Line(plot, sx, server.Select(s => Mb(s.Admin?.Gc.LiveBytes)), "objects alive in it");
            Line(plot, sx, server.Select(s => s.RssMb - Mb(s.Admin?.Gc.CommittedBytes)), "RSS outside the GC");
            plot.Axes.SetLimitsY(0, Math.Max(1, server.Select(s => s.RssMb).Where(v => !double.IsNaN(v)).DefaultIfEmpty(1).Max() * 1.1));
            Collections(plot, r, sx);
        }, legend: Edge.Right));
        yield return ("GC generations", Draw("GC generations after each collection, and the free space inside them", "MB", r, plot =>
        {
            foreach (var generation in GcSample.Generations)
            {
                var label = generation switch { "loh" => "large object heap", "poh" => "pinned object heap", _ => "generation " + generation };
                Line(plot, sx, server.Select(s => s.Admin is { } a && a.Gc.GenerationBytes.TryGetValue(generation, out var b) ? b / 1048576.0 : double.NaN), label);
            }
            Line(plot, sx, server.Select(s => Mb(s.Admin?.Gc.FragmentedBytes)), "free space inside them");
            Collections(plot, r, sx);
        }, legend: Edge.Right));
    }

    /// <summary>Collections of each generation so far, on the right axis.</summary>
    private static void Collections(Plot plot, RunResult r, double[] sx)
    {
        for (var generation = 0; generation <= 2; generation++)
        {
            var g = generation;
            var line = Line(plot, sx, r.Server.Select(s => s.Admin?.Gc.CollectionsOf(g) is long n ? n : double.NaN), $"gen{g} collections (right axis)");
            line.Axes.YAxis = plot.Axes.Right;
            line.LinePattern = LinePattern.Dotted;
        }
        plot.Axes.Right.Label.Text = "collections";
    }

    /// <param name="legend">Where the legend goes outside the data (charts with many lines); by default inside, upper left.</param>
    /// <summary>Capacity: each step's figures against its players.</summary>
    private static IEnumerable<(string Title, byte[] Png)> Capacity(RunResult r)
    {
        var steps = ReportWriter.CapacitySteps(r);
        if (steps.Count == 0)
        {
            yield break;
        }
        double[] players = [.. steps.Select(s => (double)s.Players)];
        IEnumerable<double> Of(string key) => steps.Select(s => s.Value(key));
        byte[] Chart(string title, string yLabel, params (string Key, string Label)[] series)
        {
            var plot = new Plot();
            plot.Title(title);
            plot.Axes.Bottom.Label.Text = "players (each step's hold)";
            plot.Axes.Left.Label.Text = yLabel;
            foreach (var (key, label) in series)
            {
                Line(plot, players, Of(key), label).MarkerSize = 6;
            }
            plot.ShowLegend(Alignment.UpperLeft);
            return plot.GetImageBytes(Width, Height, ImageFormat.Png);
        }
        yield return ("Capacity: CPU against players", Chart("CPU against players", "% of one core",
            ("server.cpu_pct_avg", "server CPU %"), ("swarm.cpu_pct_avg", "swarm CPU %")));
        yield return ("Capacity: server CPU per player-second", Chart("Server CPU per player-second against players", "µs",
            ("server.cpu_us_per_player_second", "server CPU per player-second")));
        yield return ("Capacity: latency against players", Chart("Latency against players", "ms",
            ("latency.input_ack_ms.p99", "input → ack p99"), ("latency.rtt_ms.p99", "RTT p99"), ("swarm.slot_lag_ms.p99", "swarm schedule lag p99")));
        yield return ("Capacity: tick and bandwidth against players", Chart("Server tick p99 on CPU (µs) and downstream per player (B/s)", "µs or B/s",
            ("server.tick_cpu_p99_us_max", "tick p99 on CPU, worst second (µs)"), ("bandwidth.down_bytes_per_s_per_player", "downstream per player (B/s)")));
    }

    private static byte[] Draw(string title, string yLabel, RunResult r, Action<Plot> fill, Edge? legend = null)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.Axes.Bottom.Label.Text = "seconds since start";
        plot.Axes.Left.Label.Text = yLabel;
        fill(plot);
        if (r.Stages.Count > 1)
        {
            foreach (var (_, second) in r.Stages.Skip(1))
            {
                var line = plot.Add.VerticalLine(second);
                line.LinePattern = LinePattern.Dashed;
                line.Color = Colors.Gray;
            }
        }
        if (r.WindowEndSecond > r.WindowStartSecond)
        {
            var start = plot.Add.VerticalLine(r.WindowStartSecond);
            start.LinePattern = LinePattern.Dashed;
            start.Color = Colors.Gray;
            var end = plot.Add.VerticalLine(r.WindowEndSecond);
            end.LinePattern = LinePattern.Dashed;
            end.Color = Colors.Gray;
        }
        if (legend is { } edge)
        {
            plot.ShowLegend(edge);
        }
        else
        {
            plot.ShowLegend(Alignment.UpperLeft);
        }
        return plot.GetImageBytes(legend is null ? Width : Width + 300, Height, ImageFormat.Png);
    }

    private static Scatter Line(Plot plot, double[] xs, IEnumerable<double> ys, string label)
    {
        double[] y = [.. ys];
        if (y.Length != xs.Length)
        {
            Array.Resize(ref y, xs.Length);
        }
        var scatter = plot.Add.ScatterLine(xs, y);
        scatter.LegendText = label;
        scatter.LineWidth = 2;
        return scatter;
    }
}
