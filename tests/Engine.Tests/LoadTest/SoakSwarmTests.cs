using System.Globalization;
using System.Text.Json.Nodes;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>
/// The soak scenario, 30 seconds: players join, leave, move and drop and resume against the AOT
/// engine; then all leave, and the server must close every session and room (nothing leaked). The
/// report must show RSS, sessions and rooms over time, and the engine's GC next to RSS.
/// </summary>
public sealed class SoakSwarmTests
{
    private const int Players = 100;

    [Fact]
    public void ThirtySecondSoakChurnsAndLeaksNothing()
    {
        var reports = Directory.CreateTempSubdirectory("loadtest-soak-");
        try
        {
            var (exit, output) = LoadTestProcess.Run(
                "soak", "--players", $"{Players}", "--room-size", "10", "--warmup", "5", "--duration", "25",
                "--move-rate", "4", "--leave-rate", "3", "--reconnect-rate", "1", "--leak-wait", "30",
                "--addresses", "8", "--engine", EngineProcess.BinaryPath, "--reports", reports.FullName);
            Assert.True(exit == 0, $"loadtest exited with {exit}:{Environment.NewLine}{output}");
            var run = LoadTestProcess.LatestReport(reports.FullName);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
            var f = summary["figures"]!.AsObject();
            double F(string key) => f[key]?.GetValue<double>() ?? throw new Xunit.Sdk.XunitException($"figure {key} missing:{Environment.NewLine}{f}");
            Assert.Equal(0, summary["server"]!["exit_code"]!.GetValue<int>());

            // Churn happened, of every kind.
            Assert.True(F("churn.moves") > 0, "no moves");
            Assert.True(F("churn.leaves") > 0, "no leaves");
            Assert.True(F("churn.drops") > 0, "no silent drops");
            Assert.True(F("churn.resumes") > 0, "no kept slot was resumed");
            Assert.True(F("rooms.joins") > Players, "nobody joined twice");

            // Nothing leaked once every player left.
            var soak = summary["soak"]!;
            Assert.True(soak["settled"]!.GetValue<bool>(), output);
            Assert.Equal(0, soak["leaked_sessions"]!.GetValue<long>());
            Assert.Equal(0, soak["leaked_rooms"]!.GetValue<long>());
            Assert.Equal(0, soak["leaked_directory_rooms"]!.GetValue<long>());

            // RSS present and sane, and the comparison made.
            var after = soak["rss_after_warmup_mb"]!.GetValue<double>();
            var end = soak["rss_end_mb"]!.GetValue<double>();
            Assert.InRange(after, 2, 2000);
            Assert.InRange(end, 2, 2000);
            Assert.InRange(soak["rss_change_pct"]!.GetValue<double>(), -50, 50);

            // RSS, sessions and rooms over time, ending with none of either.
            var rows = File.ReadAllLines(Path.Combine(run, "timeseries.csv"));
            var header = rows[0].Split(',');
            int Column(string name) => Array.IndexOf(header, name) is >= 0 and var i ? i : throw new Xunit.Sdk.XunitException($"no column {name} in {rows[0]}");
            var cells = rows.Skip(1).Select(r => r.Split(',')).ToList();
            double[] Series(string name) => [.. cells.Select(c => c[Column(name)]).Where(v => v.Length > 0).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
            var rss = Series("server_rss_mb");
            Assert.True(rss.Length >= 25, $"{rss.Length} RSS samples");
            Assert.All(rss, v => Assert.InRange(v, 1, 2000));
            var sessions = Series("metrics_sessions");
            var roomSeries = Series("metrics_rooms");
            Assert.True(sessions.Max() >= Players * 0.9, $"sessions peaked at {sessions.Max()}");
            Assert.True(roomSeries.Max() >= Players / 10, $"rooms peaked at {roomSeries.Max()}");
            Assert.Contains("draining", File.ReadAllText(Path.Combine(run, "timeseries.csv")), StringComparison.Ordinal);

            // The GC next to RSS: what it holds, what is alive in it, and the collections.
            var gc = soak["gc"]!;
            Assert.InRange(gc["committed_after_warmup_mb"]!.GetValue<double>(), 1, 2000);
            Assert.InRange(gc["live_end_mb"]!.GetValue<double>(), 1, gc["committed_end_mb"]!.GetValue<double>());
            Assert.True(gc["gen0_collections"]!.GetValue<long>() >= 0);
            var committed = Series("gc_committed_mb");
            Assert.True(committed.Length >= 25, $"{committed.Length} GC samples");
            Assert.All(committed, v => Assert.InRange(v, 1, 2000));
            Assert.True(Series("gc_collections_gen0").Length >= 25);
            Assert.True(Series("gc_gen2_mb").Length >= 25);

            var html = File.ReadAllText(Path.Combine(run, "report.html"));
            Assert.Contains("Server memory, sessions and rooms", html, StringComparison.Ordinal);
            Assert.Contains("Server memory against the GC", html, StringComparison.Ordinal);
            Assert.Contains("GC generations", html, StringComparison.Ordinal);
            Assert.Contains("Soak: memory and leaks", html, StringComparison.Ordinal);
        }
        finally
        {
            reports.Delete(recursive: true);
        }
    }
}
