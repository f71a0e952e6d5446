using System.Text.Json.Nodes;
using Engine.LoadTest.Distributed;
using Engine.Tests.Smoke;
using NATS.Client.Core;
using Xunit;

namespace Engine.Tests.LoadTest.Distributed;

/// <summary>
/// The real thing, small: a nats-server started here, a coordinator and two agents (the built
/// `loadtest` executable, three processes) with 400 players against the AOT engine. The test listens
/// to the agents' streams itself, so the report's merged counts are checked against an independent sum.
/// </summary>
public sealed class DistributedSwarmTests
{
    private const int Players = 400;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task TwoAgentsMakeOneReportWhoseCountsAreTheSumOfWhatEachSent()
    {
        await Run(seconds: 8, killAgentB: false, (exit, summary, markdown, seen, output) =>
        {
            Assert.True(exit == 0, $"coordinator exited with {exit}:{Environment.NewLine}{output}");
            var distributed = summary["distributed"]!;
            foreach (var agent in distributed["agents"]!.AsArray())
            {
                Assert.Equal("finished", agent!["status"]!.GetValue<string>());
                Assert.Equal(Players / 2, agent["players"]!.GetValue<int>());
            }
            Assert.True(summary["window"]!["all_in_rooms"]!.GetValue<bool>(), output);
            Assert.Equal(Players, summary["figures"]!["players.in_rooms_min"]!.GetValue<double>());
            Assert.Contains("Every agent ran to the end.", markdown, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task AnAgentKilledMidRunIsReportedAndWhatItSentStaysInTheFigures()
    {
        await Run(seconds: 10, killAgentB: true, (exit, summary, markdown, seen, output) =>
        {
            Assert.True(exit == Coordinator.AgentLostExitCode, $"coordinator exited with {exit}, not {Coordinator.AgentLostExitCode}:{Environment.NewLine}{output}");
            var b = summary["distributed"]!["agents"]!.AsArray().Single(a => a!["id"]!.GetValue<string>() == "b")!;
            var last = seen["b"].Max(s => s.Second);
            Assert.Equal("lost", b["status"]!.GetValue<string>());
            Assert.Equal(last, b["last_second"]!.GetValue<int>());
            Assert.Contains($"**Agent b was lost after second {last}**", markdown, StringComparison.Ordinal);
            Assert.Contains("agent b LOST", output, StringComparison.Ordinal);
            Assert.True(b["window"]!["input_messages"]!.GetValue<long>() > 0, "b's seconds in the window before it died are counted");
            Assert.True(summary["figures"]!["players.in_rooms_min"]!.GetValue<double>() < Players, "b's players were gone for the rest of the window");
            Assert.Contains(summary["targets"]!.AsArray(), t => t!["name"]!.GetValue<string>().StartsWith("every player", StringComparison.Ordinal) && !t["met"]!.GetValue<bool>());
        });
    }

    private delegate void Check(int? exit, JsonNode summary, string markdown, Dictionary<string, List<AgentSecond>> seen, string output);

    private static async Task Run(int seconds, bool killAgentB, Check check)
    {
        using var nats = NatsServerProcess.Start();
        await using var observer = new NatsConnection(NatsOpts.Default with { Url = nats.Url, Name = "test-observer" });
        await observer.ConnectAsync();
        await using var stream = await observer.SubscribeCoreAsync<byte[]>("loadtest.run.*.second.*");
        var reports = Directory.CreateTempSubdirectory("loadtest-distributed-");
        try
        {
            using var a = new LoadTestChild("agent", "--nats", nats.Url, "--name", "a");
            using var b = new LoadTestChild("agent", "--nats", nats.Url, "--name", "b");
            using var coordinator = new LoadTestChild("coordinator", "--nats", nats.Url, "--agents", "2",
                "steady", "--players", $"{Players}", "--room-size", "50", "--duration", $"{seconds}", "--addresses", "4",
                "--engine", EngineProcess.BinaryPath, "--reports", reports.FullName);

            var seen = new Dictionary<string, List<AgentSecond>> { ["a"] = [], ["b"] = [] };
            var exited = Task.Run(() => coordinator.WaitForExit(s_timeout));
            var firstMeasured = -1;
            while (!exited.IsCompleted || stream.Msgs.TryPeek(out _))
            {
                if (!stream.Msgs.TryRead(out var msg))
                {
                    await Task.Delay(20);
                    continue;
                }
                var second = DistributedJson.Read<AgentSecond>(msg.Data)!;
                var agent = msg.Subject[(msg.Subject.LastIndexOf('.') + 1)..];
                seen[agent].Add(second);
                if (killAgentB && agent == "b" && second.Phase == "measuring")
                {
                    firstMeasured = firstMeasured < 0 ? second.Second : firstMeasured;
                    if (second.Second >= firstMeasured + 3)
                    {
                        b.Kill();
                        killAgentB = false;
                    }
                }
            }
            var exit = await exited;
            var output = $"coordinator:{Environment.NewLine}{coordinator.Output}{Environment.NewLine}agent a:{Environment.NewLine}{a.Output}{Environment.NewLine}agent b:{Environment.NewLine}{b.Output}";
            Assert.True(exit is not null, $"the coordinator did not finish in {s_timeout.TotalSeconds} s:{Environment.NewLine}{output}");
            Assert.Equal(0, a.WaitForExit(TimeSpan.FromSeconds(30)));

            var run = LoadTestProcess.LatestReport(reports.FullName);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
            var markdown = File.ReadAllText(Path.Combine(run, "report.md"));
            Assert.Contains("## Agents", markdown, StringComparison.Ordinal);
            CheckMergedCountsAreTheAgentsSum(summary, seen);
            check(exit, summary, markdown, seen, output);
        }
        finally
        {
            reports.Delete(recursive: true);
        }
    }

    /// <summary>What each agent sent in the window (counted here, from the stream) is what the report gives per agent, and the merged window is their sum.</summary>
    private static void CheckMergedCountsAreTheAgentsSum(JsonNode summary, Dictionary<string, List<AgentSecond>> seen)
    {
        var start = summary["window"]!["start_second"]!.GetValue<int>();
        var end = summary["window"]!["end_second"]!.GetValue<int>();
        Assert.True(end - start >= 5, $"window {start}..{end}");
        var distributed = summary["distributed"]!;
        var sum = new Dictionary<string, long>();
        foreach (var agent in distributed["agents"]!.AsArray())
        {
            var id = agent!["id"]!.GetValue<string>();
            var window = seen[id].Where(s => s.Second > start && s.Second <= end).ToList();
            var counts = new Dictionary<string, long>
            {
                ["input_messages"] = window.Sum(s => s.Delta.InputMessages),
                ["snapshots_applied"] = window.Sum(s => s.Delta.SnapshotsApplied),
                ["snapshots_missed"] = window.Sum(s => s.Delta.SnapshotsMissed),
                ["datagrams_up"] = window.Sum(s => s.DatagramsUp),
                ["datagrams_down"] = window.Sum(s => s.DatagramsDown),
                ["inputs_acknowledged"] = window.Sum(s => s.Histograms.TryGetValue("input_ack", out var h) ? HistogramTransport.Decode(h).TotalCount : 0),
            };
            Assert.True(counts["input_messages"] > 0, $"agent {id} sent inputs in the window");
            foreach (var (key, value) in counts)
            {
                Assert.Equal(value, agent["window"]![key]!.GetValue<long>());
                sum[key] = sum.GetValueOrDefault(key) + value;
            }
        }
        foreach (var (key, value) in sum)
        {
            Assert.Equal(value, distributed["window_merged"]![key]!.GetValue<long>());
            Assert.Equal(value, distributed["window_sum_of_agents"]![key]!.GetValue<long>());
        }
        Assert.Equal(sum["inputs_acknowledged"], summary["figures"]!["latency.input_ack_count"]!.GetValue<double>());
    }
}
