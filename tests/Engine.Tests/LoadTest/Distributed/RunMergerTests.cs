using Engine.LoadTest;
using Engine.LoadTest.Distributed;
using Engine.LoadTest.Metrics;
using Engine.LoadTest.Reports;
using HdrHistogram;
using Xunit;

namespace Engine.Tests.LoadTest.Distributed;

/// <summary>
/// The coordinator's merge without a network: agents' seconds, each latency set's histogram sent in
/// HdrHistogram's compressed encoding, merged into one run's seconds, window and whole-run figures.
/// </summary>
public sealed class RunMergerTests
{
    private const long Highest = 60_000_000;

    [Fact]
    public void MergedHistogramsEqualTheOnesBuiltFromEverySample()
    {
        var random = new Random(12);
        var transport = new HistogramTransport();
        var agents = new[] { Track("a", 1), Track("b", 101) };
        var all = new LongHistogram(Highest, 3);
        var window = new LongHistogram(Highest, 3);
        var perAgentSecond = new List<long>[2, 6];
        for (var second = 1; second <= 6; second++)
        {
            for (var a = 0; a < agents.Length; a++)
            {
                // Different shapes per agent: a fast one and a slow one with a long tail.
                var values = Enumerable.Range(0, 500 + random.Next(500))
                    .Select(_ => a == 0 ? 20_000 + random.Next(40_000) : (long)(50_000 * Math.Exp(random.NextDouble() * 4)))
                    .ToList();
                perAgentSecond[a, second - 1] = values;
                var h = new LongHistogram(Highest, 3);
                values.ForEach(v => { h.RecordValue(v); all.RecordValue(v); });
                if (second > 2)
                {
                    values.ForEach(window.RecordValue);
                }
                agents[a].Add(Second(second, inputs: values.Count, histograms: new() { ["input_ack"] = transport.Encode(h) }));
            }
        }

        var merger = new RunMerger(agents);
        Merge(merger, 2);
        merger.OpenWindow(null);
        Merge(merger, 4);
        var merged = merger.CloseWindow("measuring", null);

        var run = merger.RunHistogram("input_ack")!;
        Assert.Equal(all.TotalCount, run.TotalCount);
        foreach (var v in all.RecordedValues())
        {
            Assert.Equal(v.CountAtValueIteratedTo, run.GetCountAtValue(v.ValueIteratedTo));
        }
        Assert.Equal(Percentiles.Of(all), merger.Run("input_ack"));
        Assert.Equal(Percentiles.Of(window), merged.Ack);
        Assert.Equal(window.TotalCount, merged.Ack.Count);
        Assert.NotEqual(Percentiles.Of(all), merged.Ack); // the window is not the whole run
    }

    [Fact]
    public void MergedCountsAreTheSumOfTheAgentsAndALostAgentKeepsWhatItSent()
    {
        var agents = new[] { Track("a", 1), Track("b", 101) };
        for (var second = 1; second <= 5; second++)
        {
            agents[0].Add(Second(second, inputs: 1000 + second, inRooms: 100));
            if (second <= 3)
            {
                agents[1].Add(Second(second, inputs: 2000 + second, inRooms: 100)); // b sends three seconds, then dies
            }
        }
        var merger = new RunMerger(agents);
        merger.OpenWindow(null);
        Merge(merger, 3);
        Assert.False(merger.Ready); // b is still running: second 4 waits for it
        agents[1].Lose("no heartbeat for 3 s");
        Assert.True(merger.Ready);
        Merge(merger, 2);
        Assert.False(merger.Exhausted); // a has not said it is done
        agents[0].Finished(new AgentDone("a", 5, null));
        Assert.True(merger.Exhausted);
        var window = merger.CloseWindow("measuring", null);

        Assert.Equal(Enumerable.Range(1, 5).Sum(s => 1000 + s) + Enumerable.Range(1, 3).Sum(s => 2000 + s), window.Counters.InputMessages);
        Assert.Equal(agents[0].WindowCounters.InputMessages + agents[1].WindowCounters.InputMessages, window.Counters.InputMessages);
        Assert.Equal(Enumerable.Range(1, 3).Sum(s => 2000 + s), agents[1].WindowCounters.InputMessages);
        Assert.Equal(3, agents[1].LastSecond);
        Assert.Equal(100, window.InRoomsEnd); // b's players are gone from the last seconds
        Assert.Equal(100, window.MinInRooms);
        Assert.Equal(window.Counters.InputMessages, merger.RunTotal.InputMessages);
    }

    [Fact]
    public void SharesSplitPlayersIdsAddressesAndRatesAndParseAsTheAgentsParseThem()
    {
        var options = LoadTestOptions.Parse(["churn", "--players", "401", "--addresses", "4", "--connect-rate", "300", "--move-rate", "30",
            "--reports", "/tmp/elsewhere", "--engine", "/nowhere/engine", "--room-size", "25"]);
        string[] run = ["churn", "--players", "401", "--addresses", "4", "--connect-rate=300", "--move-rate", "30", "--reports", "/tmp/elsewhere",
            "--engine", "/nowhere/engine", "--room-size", "25"];
        var key = new byte[32];
        var shares = ShareSplitter.Split(options, run, 3, "r1", "127.0.0.1:7777", key, 200, DateTimeOffset.UnixEpoch, 3);

        Assert.Equal([134, 134, 133], shares.Select(s => s.Players));
        Assert.Equal([1L, 135, 269], shares.Select(s => s.FirstPlayerId));
        Assert.Equal([0, 4, 8], shares.Select(s => s.SourceAddressOffset));
        foreach (var share in shares)
        {
            Assert.DoesNotContain("--reports", share.Arguments);
            Assert.DoesNotContain("--engine", share.Arguments);
            var parsed = LoadTestOptions.Parse(share.Arguments);
            Assert.Equal(share.Players, parsed.Players);
            Assert.Equal(share.FirstPlayerId, parsed.FirstPlayerId);
            Assert.Equal(share.SourceAddressOffset, parsed.SourceAddressOffset);
            Assert.Equal("127.0.0.1:7777", parsed.Server);
            Assert.Equal(key, parsed.TokenKey);
            Assert.Equal(25, parsed.RoomSize);
            Assert.Equal(4, parsed.Addresses);
            Assert.True(parsed.SocketPerPlayer);
            Assert.Equal(share.Players, parsed.SocketCount); // each agent's players on sockets of their own
            Assert.Equal(200, parsed.DurationSeconds);
            Assert.Equal(30.0 * share.Players / 401, parsed.MoveRate, 6);
            Assert.Equal(Math.Round(300.0 * share.Players / 401), parsed.ConnectRate);
        }
        Assert.Equal("127.0.0.6 .. 127.0.0.9", ShareSplitter.Addresses(shares[1]));
    }

    [Fact]
    public void AnAgentWithFewerPlayersThanAddressesNamesOnlyTheAddressesItBinds()
    {
        string[] run = ["steady", "--players", "5", "--insecure"];
        var options = LoadTestOptions.Parse(run);
        var shares = ShareSplitter.Split(options, run, 2, "r1", "127.0.0.1:7777", null, 30, DateTimeOffset.UnixEpoch, 3);

        Assert.Equal([3, 2], shares.Select(s => s.Players));
        Assert.Equal("127.0.0.2 .. 127.0.0.4", ShareSplitter.Addresses(shares[0]));
        Assert.Equal("127.0.0.18 .. 127.0.0.19", ShareSplitter.Addresses(shares[1]));
    }

    [Fact]
    public void TheSharedLayoutIsPassedToTheAgentsAndKeepsThemOnAddressesOfTheirOwn()
    {
        string[] run = ["steady", "--players", "400", "--shared-sockets", "8", "--source-address-offset", "10", "--insecure"];
        var options = LoadTestOptions.Parse(run);
        var shares = ShareSplitter.Split(options, run, 2, "r1", "127.0.0.1:7777", null, 200, DateTimeOffset.UnixEpoch, 3);

        Assert.Equal([10, 18], shares.Select(s => s.SourceAddressOffset));
        foreach (var share in shares)
        {
            var parsed = LoadTestOptions.Parse(share.Arguments);
            Assert.False(parsed.SocketPerPlayer);
            Assert.Equal(8, parsed.SocketCount);
            Assert.StartsWith("shared: 8 sockets", parsed.Layout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheRunsSocketLayoutAddsUpWhatEveryAgentBinds()
    {
        string[] run = ["steady", "--players", "2001", "--insecure"];
        var shares = ShareSplitter.Split(LoadTestOptions.Parse(run), run, 3, "r1", "127.0.0.1:7777", null, 200, DateTimeOffset.UnixEpoch, 3);

        var layout = ShareSplitter.Layout(shares);

        Assert.Equal(new SocketLayout(true, 2001, 48, 3), layout); // 16 addresses of its own per agent
        Assert.Equal("one socket per player: 2001 sockets on 48 addresses over 3 agents", layout.Description);
        var result = HandBuiltRun.Of(LoadTestOptions.Parse(run), layout);
        Assert.Contains("Client sockets: one socket per player: 2001 sockets on 48 addresses over 3 agents", ReportWriter.ConsoleSummary(result), StringComparison.Ordinal);
    }

    [Fact]
    public void TheRunsSharedLayoutCountsEveryAgentsSockets()
    {
        string[] run = ["steady", "--players", "400", "--shared-sockets", "8", "--insecure"];
        var shares = ShareSplitter.Split(LoadTestOptions.Parse(run), run, 2, "r1", "127.0.0.1:7777", null, 200, DateTimeOffset.UnixEpoch, 3);

        var layout = ShareSplitter.Layout(shares);

        Assert.Equal(new SocketLayout(false, 16, 16, 2), layout);
        Assert.StartsWith("shared: 16 sockets over 2 agents (", layout.Description, StringComparison.Ordinal);
    }

    private static AgentTrack Track(string id, long firstPlayerId) =>
        new(new AgentHello(id, "host", 1, 2, "cpu"), new AgentShare("r1", 0, 2, 100, firstPlayerId, 0, [], 0, 3000));

    private static AgentSecond Second(int second, long inputs, int inRooms = 0, Dictionary<string, byte[]>? histograms = null) => new()
    {
        Second = second,
        InRooms = inRooms,
        Connected = inRooms,
        Delta = new SwarmCounters { InputMessages = inputs, SnapshotsApplied = 2 * inputs },
        Histograms = histograms ?? [],
    };

    private static void Merge(RunMerger merger, int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            Assert.True(merger.Ready);
            merger.MergeNext("measuring");
        }
    }
}
