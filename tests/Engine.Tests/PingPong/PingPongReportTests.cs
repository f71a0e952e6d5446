using Engine.Benchmarks.PingPong;
using Engine.LoadTest.Reports.Perf;
using Xunit;

namespace Engine.Tests.PingPong;

/// <summary>
/// The ping-pong's tables and JSON over canned results (nothing is measured): one table per
/// layout, the realistic one first, each with its kernel floor, every server's CPU over it and
/// the engine's over LiteNetLib's; the JSON carries both layouts and the fold reads it back.
/// </summary>
public sealed class PingPongReportTests
{
    private static readonly PingPongOptions s_options = PingPongOptions.Parse(["--seconds", "10"]);

    private static LayoutResults[] Layouts() =>
    [
        new(ClientLayout.PerClient(1000), [Row("engine", "engine (AOT, sealed)", 64_000, 8.0, 1000), Row("litenetlib", "LiteNetLib 2.1.5", 40_000, 10.0, 1000), Row("c", "C recvmmsg echo", 63_000, 5.0, 1000)]),
        new(ClientLayout.Shared(4), [Row("engine", "engine (AOT, sealed)", 250_000, 2.0, 4), Row("litenetlib", "LiteNetLib 2.1.5", 40_000, 8.0, 1000), Failed("c", "C recvmmsg echo", "cc not found")]),
    ];

    [Fact]
    public void Prints_the_realistic_table_first_each_with_its_kernel_floor_and_the_ratios_to_it()
    {
        var w = new StringWriter();
        PingPongReport.WriteTables(w, s_options, Layouts());
        string text = w.ToString();
        string perClient = text[..text.IndexOf("Shared client addresses", StringComparison.Ordinal)];
        string shared = text[perClient.Length..];

        Assert.StartsWith(Environment.NewLine + "One address per client (1000 client sockets, as real players have): 1000 clients", perClient, StringComparison.Ordinal);
        Assert.Contains("Every reply goes to its own address", perClient, StringComparison.Ordinal);
        Assert.Equal(["engine (AOT, sealed)", "64,000", "8.00", "1.60", "1000"], Cells(perClient, "engine (AOT, sealed)", 0, 1, 4, 6, 10));
        Assert.Equal(["LiteNetLib 2.1.5", "10.00", "2.00"], Cells(perClient, "LiteNetLib 2.1.5", 0, 4, 6));
        Assert.Equal(["C recvmmsg echo", "5.00", "1.00"], Cells(perClient, "C recvmmsg echo", 0, 4, 6));
        Assert.Contains("kernel floor: the C recvmmsg echo, 5.00 us server CPU per round trip in this layout.", perClient, StringComparison.Ordinal);
        Assert.Contains("engine / LiteNetLib: server CPU per round trip x0.80, throughput x1.60,", perClient, StringComparison.Ordinal);

        Assert.StartsWith("Shared client addresses (4 client sockets for 1000 clients): 1000 clients", shared, StringComparison.Ordinal);
        Assert.Contains("Measures batching onto few client ports", shared, StringComparison.Ordinal);
        Assert.Contains("not what a server sees from real players", shared, StringComparison.Ordinal);
        Assert.Equal(["engine (AOT, sealed)", "2.00", "n/a", "4"], Cells(shared, "engine (AOT, sealed)", 0, 4, 6, 10));
        Assert.Equal(["C recvmmsg echo", "failed"], Cells(shared, "C recvmmsg echo", 0, 1));
        Assert.Contains("C recvmmsg echo failed: cc not found", shared, StringComparison.Ordinal);
        Assert.Contains("kernel floor: the C echo did not run in this layout", shared, StringComparison.Ordinal);
        Assert.Contains("engine / LiteNetLib: server CPU per round trip x0.25, throughput x6.25,", shared, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_LiteNetLib_there_is_no_engine_ratio_to_it()
    {
        var w = new StringWriter();
        LayoutResults layout = new(ClientLayout.Shared(4), [Row("engine", "engine (AOT, sealed)", 250_000, 2.0, 4), Row("c", "C recvmmsg echo", 120_000, 4.0, 4)]);
        PingPongReport.WriteTables(w, s_options, [layout]);
        Assert.DoesNotContain("engine / LiteNetLib", w.ToString(), StringComparison.Ordinal);
        Assert.Equal(["engine (AOT, sealed)", "0.50"], Cells(w.ToString(), "engine (AOT, sealed)", 0, 6));
    }

    [Fact]
    public void The_json_carries_both_layouts_and_the_fold_reads_them_realistic_first()
    {
        string path = Path.Combine(Path.GetTempPath(), $"pingpong-{Guid.NewGuid():N}.json");
        try
        {
            PingPongReport.WriteJson(s_options, Layouts(), path);
            PingPongRun run = PingPongRun.Read(path);
            Assert.Equal(["per-client", "shared"], run.Layouts.Select(l => l.Key));
            Assert.Equal([1000, 4], run.Layouts.Select(l => l.ClientSockets));
            Assert.StartsWith("One address per client", run.Layouts[0].Title, StringComparison.Ordinal);
            Assert.Contains("batching onto few client ports", run.Layouts[1].Measures, StringComparison.Ordinal);
            Assert.Equal(5.0, run.Layouts[0].KernelFloorUs);
            Assert.True(double.IsNaN(run.Layouts[1].KernelFloorUs));
            Assert.Equal(8.0, run.Layouts[0].Ok("engine")!.ServerCpuUsPerRoundTrip);
            Assert.Equal(4, run.Layouts[1].Ok("engine")!.ClientAddresses);
            Assert.Equal("cc not found", run.Layouts[1].Results[2].Error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The cells at <paramref name="columns"/> of the table row that starts with <paramref name="server"/>.</summary>
    private static string[] Cells(string text, string server, params int[] columns)
    {
        string line = text.Split(Environment.NewLine).First(l => l.StartsWith($"| {server} ", StringComparison.Ordinal));
        string[] cells = [.. line.Trim('|').Split('|').Select(c => c.Trim())];
        return [.. columns.Select(i => cells[i])];
    }

    private static ScenarioResult Row(string key, string name, long roundTripsPerSecond, double serverCpuUs, int addresses) => new()
    {
        Key = key,
        Name = name,
        WindowSeconds = 10,
        RoundTrips = roundTripsPerSecond * 10,
        ServerCpuNs = (long)(serverCpuUs * 1000 * roundTripsPerSecond * 10),
        ClientCpuNs = roundTripsPerSecond * 10 * 2000,
        RttP50Us = 1_000_000_000.0 / roundTripsPerSecond,
        RttP99Us = 3_000_000_000.0 / roundTripsPerSecond,
        ClientAddresses = addresses,
    };

    private static ScenarioResult Failed(string key, string name, string error) => new() { Key = key, Name = name, Error = error };
}
