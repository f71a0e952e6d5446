using System.Text.Json.Nodes;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>
/// The hostile scenario, small: 100 players against the AOT engine, a 5 s clean window and a 5 s
/// window under a 10x attack of every kind. The report must hold both windows, the attack it
/// delivered, and the server's drops for each kind of attack traffic.
/// </summary>
public sealed class HostileSwarmTests
{
    private const int Players = 100;
    private const int Seconds = 5;

    [Fact]
    public void HostileRunReportsBothWindowsTheAttackAndTheServersDrops()
    {
        var reports = Directory.CreateTempSubdirectory("loadtest-hostile-");
        try
        {
            var (exit, output) = LoadTestProcess.Run(
                "hostile", "--players", $"{Players}", "--room-size", "50", "--duration", $"{Seconds}", "--warmup", "2", "--attack-addresses", "32",
                "--addresses", "8", "--engine", EngineProcess.BinaryPath, "--reports", reports.FullName);
            Assert.True(exit == 0, $"loadtest exited with {exit}:{Environment.NewLine}{output}");
            var run = LoadTestProcess.LatestReport(reports.FullName);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
            Assert.Equal(0, summary["server"]!["exit_code"]!.GetValue<int>());

            // Both windows, each with the legit players' figures.
            var windows = summary["windows"]!.AsObject();
            foreach (var name in new[] { "clean", "attack" })
            {
                var w = windows[name]!;
                Assert.Equal(Seconds, w["end_second"]!.GetValue<int>() - w["start_second"]!.GetValue<int>());
                var f = w["figures"]!;
                Assert.True(f["latency.input_ack_ms.p99"]!.GetValue<double>() > 0, $"{name}: no acknowledged input");
                Assert.InRange(f["snapshots.per_player_per_s"]!.GetValue<double>(), 10, 21);
                Assert.True(f["legit.packets_per_s"]!.GetValue<double>() > Players * 20, $"{name}: players barely sent");
            }
            Assert.True(windows["clean"]!["end_second"]!.GetValue<int>() <= windows["attack"]!["start_second"]!.GetValue<int>());
            Assert.Equal(0, windows["clean"]!["attack_packets"]!.GetValue<long>());

            // The attack went out, every kind of it, at a real multiple of the legit rate.
            var hostile = summary["hostile"]!;
            Assert.True(hostile["factor_achieved"]!.GetValue<double>() > 3, $"factor {hostile["factor_achieved"]}:{Environment.NewLine}{output}");
            foreach (var (kind, node) in hostile["attack"]!.AsObject())
            {
                Assert.True(node!["sent_per_s"]!.GetValue<double>() > 0, $"no {kind} traffic");
            }
            Assert.True(hostile["server_replies_per_s"]!.GetValue<double>() > 0, "the spoofed hellos were never answered (challenges)");
            Assert.Equal(3, hostile["targets"]!.AsArray().Count);

            // The server counted drops for each kind, far more under attack than in the clean window.
            var drops = windows["attack"]!["server_drops"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<long>());
            var cleanDrops = windows["clean"]!["server_drops"]!.AsObject().Sum(kv => kv.Value!.GetValue<long>());
            long Any(params string[] reasons) => drops.Where(d => reasons.Any(r => d.Key.Contains(r, StringComparison.Ordinal))).Sum(d => d.Value);
            var described = string.Join(", ", drops.Select(d => $"{d.Key}={d.Value}"));
            Assert.True(Any("unknown_type", "bad_flags", "too_short", "bad_hello_size") > 0, $"garbage: {described}");
            Assert.True(Any("oversized", "truncated") > 0, $"oversized: {described}");
            Assert.True(Any("address_mismatch", "auth") > 0, $"replays and stolen ids from other addresses: {described}");
            Assert.True(Any("duplicate", "stale", "replay") > 0, $"same-address replays: {described}");
            Assert.True(Any("unknown_session") > 0, $"guessed ids: {described}");
            Assert.True(Any("bad_cookie", "expired_cookie") > 0, $"bad cookies: {described}");
            Assert.True(drops.Values.Sum() > 10 * Math.Max(1, cleanDrops), $"attack {drops.Values.Sum()} vs clean {cleanDrops}");

            var markdown = File.ReadAllText(Path.Combine(run, "report.md"));
            Assert.Contains("clean window vs attack window", markdown, StringComparison.Ordinal);
            Assert.Contains("## The attack delivered", markdown, StringComparison.Ordinal);
            Assert.Contains("## The server's drops by reason", markdown, StringComparison.Ordinal);
            var rows = File.ReadAllLines(Path.Combine(run, "timeseries.csv"));
            Assert.Contains("attack_packets_per_s", rows[0], StringComparison.Ordinal);
            Assert.Contains("attack_spoofed_hello", rows[0], StringComparison.Ordinal);
        }
        finally
        {
            reports.Delete(recursive: true);
        }
    }
}
