using System.Text.Json.Nodes;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>
/// `loadtest fold-perf` over canned BenchmarkDotNet JSON and ping-pong JSON (nothing is measured
/// here): the report folder gets perf.md, a section in report.md and report.html, and a perf object
/// in summary.json, with the figures of the inputs.
/// </summary>
public sealed class PerfFoldTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("perf-fold-");

    private const string HeaderReport = """
        {"Title":"Engine.Benchmarks.Protocol.SessionHeaderBenchmarks-20260101-000000",
         "HostEnvironmentInfo":{"BenchmarkDotNetVersion":"0.15.8","OsVersion":"Linux Debian GNU/Linux 12 (bookworm)","ProcessorName":"AMD EPYC","LogicalCoreCount":2,"RuntimeVersion":".NET 10.0.12"},
         "Benchmarks":[
          {"DisplayInfo":"SessionHeaderBenchmarks.Parse: short-wks-gc(Concurrent=False, Server=False)","Namespace":"Engine.Benchmarks.Protocol","Type":"SessionHeaderBenchmarks","Method":"Parse","MethodTitle":"Parse","Parameters":"",
           "Statistics":{"N":8,"Mean":1.115,"StandardDeviation":0.3983,"ConfidenceInterval":{"N":8,"Mean":1.115,"Margin":0.7616},"Percentiles":{"P50":0.9146,"P95":1.632}},
           "Memory":{"Gen0Collections":0,"TotalOperations":1000,"BytesAllocatedPerOperation":0}},
          {"DisplayInfo":"SessionHeaderBenchmarks.Write: short-wks-gc(Concurrent=False, Server=False)","Namespace":"Engine.Benchmarks.Protocol","Type":"SessionHeaderBenchmarks","Method":"Write","MethodTitle":"Write","Parameters":"",
           "Statistics":{"N":1,"Mean":2.279,"StandardDeviation":0,"ConfidenceInterval":{"N":1,"Mean":2.279,"Margin":""},"Percentiles":{"P95":4.24}},
           "Memory":{"Gen0Collections":0,"TotalOperations":1000,"BytesAllocatedPerOperation":0}}]}
        """;

    private const string EncodeReport = """
        {"Title":"Engine.Benchmarks.Snapshots.SnapshotEncodeBenchmarks-20260101-000000",
         "HostEnvironmentInfo":{"BenchmarkDotNetVersion":"0.15.8"},
         "Benchmarks":[
          {"DisplayInfo":"SnapshotEncodeBenchmarks.Encode: short-wks-gc(Concurrent=False) [Entities=50, Path=Vector256]","Type":"SnapshotEncodeBenchmarks","Method":"Encode","Parameters":"Entities=50, Path=Vector256",
           "Statistics":{"Mean":2512.25,"StandardDeviation":12.5,"ConfidenceInterval":{"Margin":20.125},"Percentiles":{"P95":2534}},
           "Memory":{"BytesAllocatedPerOperation":64}}]}
        """;

    // The shared layout comes first in this file; the report still shows the realistic one first.
    private const string PingPong = """
        {"kind":"engine-pingpong","timestampUtc":"2026-01-01T00:00:00Z","clients":1000,"payloadBytes":32,"warmupSeconds":3,"measuredSeconds":10,
         "processorCount":2,"cpuModel":"AMD EPYC","loadAverageAtStart":"0.10 0.20 0.30","loadAverageAtEnd":"1.50 0.80 0.40",
         "layouts":[
          {"key":"shared","title":"Shared client addresses (4 client sockets for 1000 clients)","measures":"Measures batching onto few client ports, not what a server sees from real players.","clientSockets":4,
           "results":[
            {"key":"engine","name":"engine (AOT)","ok":true,"clientAddresses":4,"windowSeconds":10,"roundTrips":2000000,"roundTripsPerSecond":200000,
             "rttP50Us":2175.5,"rttP99Us":23478.25,"serverCpuUsPerRoundTrip":2,"clientCpuUsPerRoundTrip":1.9,"serverBytesPerMessage":0.01,"lost":0},
            {"key":"litenetlib","name":"LiteNetLib 2.1.5","ok":true,"clientAddresses":1000,"windowSeconds":10,"roundTrips":400000,"roundTripsPerSecond":40000,
             "rttP50Us":24068,"rttP99Us":60621,"serverCpuUsPerRoundTrip":8,"clientCpuUsPerRoundTrip":9.5,"serverBytesPerMessage":0.03,"lost":269},
            {"key":"c","name":"C recvmmsg echo","ok":false,"error":"cc not found","clientAddresses":0,"windowSeconds":0,"roundTrips":0,"roundTripsPerSecond":0,
             "rttP50Us":null,"rttP99Us":null,"serverCpuUsPerRoundTrip":null,"clientCpuUsPerRoundTrip":null,"serverBytesPerMessage":null,"lost":0}]},
          {"key":"per-client","title":"One address per client (1000 client sockets, as real players have)","measures":"Every reply goes to its own address, as with real players.","clientSockets":1000,
           "results":[
            {"key":"engine","name":"engine (AOT)","ok":true,"clientAddresses":1000,"windowSeconds":10,"roundTrips":640000,"roundTripsPerSecond":64000,
             "rttP50Us":15000,"rttP99Us":30000,"serverCpuUsPerRoundTrip":8,"clientCpuUsPerRoundTrip":3,"serverBytesPerMessage":0.02,"lost":0},
            {"key":"litenetlib","name":"LiteNetLib 2.1.5","ok":true,"clientAddresses":1000,"windowSeconds":10,"roundTrips":400000,"roundTripsPerSecond":40000,
             "rttP50Us":24000,"rttP99Us":60000,"serverCpuUsPerRoundTrip":10,"clientCpuUsPerRoundTrip":9.5,"serverBytesPerMessage":0.03,"lost":0},
            {"key":"c","name":"C recvmmsg echo","ok":true,"clientAddresses":1000,"windowSeconds":10,"roundTrips":630000,"roundTripsPerSecond":63000,
             "rttP50Us":15800,"rttP99Us":35000,"serverCpuUsPerRoundTrip":5,"clientCpuUsPerRoundTrip":3,"serverBytesPerMessage":null,"lost":0}]}]}
        """;

    // What the ping-pong wrote before it ran both layouts: one list of results.
    private const string SingleLayoutPingPong = """
        {"kind":"engine-pingpong","clients":1000,"payloadBytes":32,"warmupSeconds":3,"measuredSeconds":10,"loadAverageAtStart":"0.10 0.20 0.30",
         "results":[
          {"key":"engine","name":"engine (AOT)","ok":true,"clientAddresses":4,"roundTripsPerSecond":200000,
           "rttP50Us":2175.5,"rttP99Us":23478.25,"serverCpuUsPerRoundTrip":2,"clientCpuUsPerRoundTrip":1.9,"serverBytesPerMessage":0.01,"lost":0}]}
        """;

    private (string Bdn, string PingPong) WriteInputs()
    {
        var bdn = Directory.CreateDirectory(Path.Combine(_temp.FullName, "bdn", "results")).FullName;
        File.WriteAllText(Path.Combine(bdn, "Engine.Benchmarks.Protocol.SessionHeaderBenchmarks-report-full-compressed.json"), HeaderReport);
        File.WriteAllText(Path.Combine(bdn, "Engine.Benchmarks.Snapshots.SnapshotEncodeBenchmarks-report-full-compressed.json"), EncodeReport);
        File.WriteAllText(Path.Combine(bdn, "Engine.Benchmarks.Snapshots.SnapshotEncodeBenchmarks-report.csv"), "not read");
        var pingPong = Path.Combine(_temp.FullName, "pingpong.json");
        File.WriteAllText(pingPong, PingPong);
        return (bdn, pingPong);
    }

    [Fact]
    public void Folds_into_the_load_tests_latest_report_keeping_its_content_and_replacing_its_own_section_when_run_again()
    {
        var (bdn, pingPong) = WriteInputs();
        var reports = Directory.CreateDirectory(Path.Combine(_temp.FullName, "reports")).FullName;
        var run = Directory.CreateDirectory(Path.Combine(reports, "20260101-000000-steady")).FullName;
        File.WriteAllText(Path.Combine(run, "report.md"), "# Load test: steady\n\n## Machine\n\nswarm figures\n");
        File.WriteAllText(Path.Combine(run, "report.html"), "<!doctype html><html><body><h1>Load test</h1><p>swarm figures</p></body></html>\n");
        File.WriteAllText(Path.Combine(run, "summary.json"), """{"figures":{"players.target":200}}""");
        File.CreateSymbolicLink(Path.Combine(reports, "latest"), "20260101-000000-steady");

        for (var pass = 0; pass < 2; pass++)
        {
            var (exit, output) = FoldPerf("--bdn", bdn, "--pingpong", pingPong, "--reports", reports);
            Assert.True(exit == 0, output);
        }

        var perf = File.ReadAllText(Path.Combine(run, "perf.md"));
        Assert.Contains($"{Environment.ProcessorCount} cores", perf, StringComparison.Ordinal);
        Assert.Contains($"**Everything shares these {Environment.ProcessorCount} cores.**", perf, StringComparison.Ordinal);
        Assert.Contains("| Parse | 1.115 ns | 0.762 ns | 0.398 ns | 1.632 ns | 0 B |", perf, StringComparison.Ordinal);
        Assert.Contains("| Write | 2.279 ns | n/a | 0.000 ns | 4.240 ns | 0 B |", perf, StringComparison.Ordinal);
        Assert.Contains("| Encode | Entities=50, Path=Vector256 | 2.512 µs | 20.13 ns | 12.50 ns | 2.534 µs | 64 B |", perf, StringComparison.Ordinal);
        Assert.Contains("3 cases, 2 of them allocate nothing", perf, StringComparison.Ordinal);
        var perClient = perf.IndexOf("### One address per client (1000 client sockets, as real players have)", StringComparison.Ordinal);
        var shared = perf.IndexOf("### Shared client addresses (4 client sockets for 1000 clients)", StringComparison.Ordinal);
        Assert.True(perClient > 0 && shared > perClient, "both tables, the realistic one first");
        var realistic = perf[perClient..shared];
        var batched = perf[shared..];
        ContainsAll(realistic,
            "Every reply goes to its own address, as with real players.",
            "| engine (AOT) | 64,000 | 15,000.0 | 30,000.0 | 8.00 | 1.60 | 0.02 | 3.00 | 0 | 1000 |",
            "| LiteNetLib 2.1.5 | 40,000 | 24,000.0 | 60,000.0 | 10.00 | 2.00 | 0.03 | 9.50 | 0 | 1000 |",
            "| C recvmmsg echo | 63,000 | 15,800.0 | 35,000.0 | 5.00 | 1.00 | n/a | 3.00 | 0 | 1000 |",
            "Kernel floor in this layout: the C recvmmsg echo, 5.00 µs server CPU per round trip.",
            "engine / LiteNetLib: server CPU per round trip x0.80, throughput x1.60");
        ContainsAll(batched,
            "Measures batching onto few client ports, not what a server sees from real players.",
            "| engine (AOT) | 200,000 | 2,175.5 | 23,478.3 | 2.00 | n/a | 0.01 | 1.90 | 0 | 4 |",
            "| LiteNetLib 2.1.5 | 40,000 | 24,068.0 | 60,621.0 | 8.00 | n/a | 0.03 | 9.50 | 269 | 1000 |",
            "| C recvmmsg echo | failed: cc not found |",
            "Kernel floor: the C echo did not run in this layout.",
            "engine / LiteNetLib: server CPU per round trip x0.25, throughput x5.00");
        Assert.Contains("0.10 0.20 0.30", perf, StringComparison.Ordinal);

        var markdown = File.ReadAllText(Path.Combine(run, "report.md"));
        Assert.StartsWith("# Load test: steady\n\n## Machine\n\nswarm figures\n", markdown, StringComparison.Ordinal);
        Assert.Equal(1, Count(markdown, "<!-- perf-report:start -->"));
        Assert.Contains("[perf.md](perf.md)", markdown, StringComparison.Ordinal);
        Assert.Contains("### Micro-benchmarks (BenchmarkDotNet)", markdown, StringComparison.Ordinal);
        Assert.Contains("| Parse | 1.115 ns |", markdown, StringComparison.Ordinal);

        var html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Equal(1, Count(html, "<section id=\"perf\">"));
        Assert.True(html.IndexOf("<p>swarm figures</p>", StringComparison.Ordinal) < html.IndexOf("<section id=\"perf\">", StringComparison.Ordinal));
        Assert.EndsWith("</section>\n<!-- perf-report:end -->\n</body></html>\n", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">1.115 ns</td>", html, StringComparison.Ordinal);
        Assert.Contains("<b>Everything shares these", html, StringComparison.Ordinal);
        Assert.Contains("<td>LiteNetLib 2.1.5</td>", html, StringComparison.Ordinal);

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
        Assert.Equal(200, summary["figures"]!["players.target"]!.GetValue<int>());
        var perfJson = summary["perf"]!;
        Assert.Equal(Environment.ProcessorCount, perfJson["machine"]!["cores"]!.GetValue<int>());
        var cases = perfJson["benchmarks"]!["cases"]!.AsArray();
        Assert.Equal(3, cases.Count);
        Assert.Equal("SessionHeaderBenchmarks.Parse", cases[0]!["name"]!.GetValue<string>());
        Assert.Equal(1.115, cases[0]!["mean_ns"]!.GetValue<double>());
        Assert.Null(cases[1]!["error_ns"]);
        Assert.Equal(64, cases[2]!["allocated_bytes"]!.GetValue<double>());
        Assert.Equal("short-wks-gc", cases[2]!["job"]!.GetValue<string>());
        var layouts = perfJson["pingpong"]!["layouts"]!.AsArray();
        Assert.Equal(["per-client", "shared"], layouts.Select(l => l!["key"]!.GetValue<string>()));
        Assert.Equal(1000, layouts[0]!["client_sockets"]!.GetValue<int>());
        Assert.Equal(5, layouts[0]!["kernel_floor_server_cpu_us_per_round_trip"]!.GetValue<double>());
        Assert.Null(layouts[1]!["kernel_floor_server_cpu_us_per_round_trip"]);
        Assert.Equal(1.6, layouts[0]!["results"]![0]!["server_cpu_vs_kernel_floor"]!.GetValue<double>());
        Assert.Equal(64_000, layouts[0]!["results"]![0]!["round_trips_per_s"]!.GetValue<double>());
        Assert.Equal(200_000, layouts[1]!["results"]![0]!["round_trips_per_s"]!.GetValue<double>());
        Assert.False(layouts[1]!["results"]![2]!["ok"]!.GetValue<bool>());
        Assert.Equal(0.8, layouts[0]!["engine_vs_litenetlib"]!["server_cpu_per_round_trip"]!.GetValue<double>());
        Assert.Equal(5, layouts[1]!["engine_vs_litenetlib"]!["throughput"]!.GetValue<double>());
        Assert.Equal(0.25, layouts[1]!["engine_vs_litenetlib"]!["server_cpu_per_round_trip"]!.GetValue<double>());

        Assert.True(File.Exists(Path.Combine(run, "perf", "pingpong.json")));
        Assert.True(File.Exists(Path.Combine(run, "perf", "bdn", "Engine.Benchmarks.Protocol.SessionHeaderBenchmarks-report-full-compressed.json")));
    }

    [Fact]
    public void Without_a_latest_report_it_makes_a_timestamped_folder_and_points_latest_at_it()
    {
        var (_, pingPong) = WriteInputs();
        var reports = Path.Combine(_temp.FullName, "fresh-reports");
        var (exit, output) = FoldPerf("--pingpong", pingPong, "--reports", reports);
        Assert.True(exit == 0, output);

        var link = new DirectoryInfo(Path.Combine(reports, "latest")).LinkTarget;
        Assert.NotNull(link);
        Assert.EndsWith("-perf", link, StringComparison.Ordinal);
        var run = Path.Combine(reports, link);
        foreach (var file in new[] { "perf.md", "report.md", "report.html", "summary.json" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing");
        }
        Assert.DoesNotContain("Micro-benchmarks", File.ReadAllText(Path.Combine(run, "perf.md")), StringComparison.Ordinal);
        Assert.Contains("| engine (AOT) | 64,000 |", File.ReadAllText(Path.Combine(run, "report.md")), StringComparison.Ordinal);
        Assert.StartsWith("<!doctype html>", File.ReadAllText(Path.Combine(run, "report.html")), StringComparison.Ordinal);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
        Assert.Null(summary["perf"]!["benchmarks"]);
        Assert.Equal(1000, summary["perf"]!["pingpong"]!["clients"]!.GetValue<int>());
    }

    [Fact]
    public void A_file_from_before_the_two_layouts_folds_as_one_table()
    {
        var pingPong = Path.Combine(_temp.FullName, "old-pingpong.json");
        File.WriteAllText(pingPong, SingleLayoutPingPong);
        var (exit, output) = FoldPerf("--pingpong", pingPong, "--report", Path.Combine(_temp.FullName, "old"));
        Assert.True(exit == 0, output);
        var perf = File.ReadAllText(Path.Combine(_temp.FullName, "old", "perf.md"));
        Assert.Equal(1, Count(perf, "### "));
        Assert.Contains("| engine (AOT) | 200,000 | 2,175.5 | 23,478.3 | 2.00 | n/a | 0.01 | 1.90 | 0 | 4 |", perf, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], 2, "nothing to fold")]
    [InlineData(new[] { "--pingpong", "/nonexistent/pingpong.json" }, 2, "no file")]
    [InlineData(new[] { "--frobnicate" }, 2, "unknown option")]
    public void Refuses_bad_arguments_with_one_clear_message(string[] arguments, int expectedExit, string message)
    {
        var (exit, output) = FoldPerf([.. arguments, "--reports", Path.Combine(_temp.FullName, "r")]);
        Assert.Equal(expectedExit, exit);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_temp.FullName, "r")));
    }

    [Fact]
    public void A_file_that_is_not_a_benchmark_report_is_an_error_not_a_silent_empty_section()
    {
        var bdn = Directory.CreateDirectory(Path.Combine(_temp.FullName, "bad")).FullName;
        File.WriteAllText(Path.Combine(bdn, "X-report-brief.json"), """{"something":"else"}""");
        var (exit, output) = FoldPerf("--bdn", bdn, "--reports", Path.Combine(_temp.FullName, "r"));
        Assert.Equal(1, exit);
        Assert.Contains("not a BenchmarkDotNet JSON report", output, StringComparison.Ordinal);
    }

    private static void ContainsAll(string text, params string[] values)
    {
        foreach (var value in values)
        {
            Assert.Contains(value, text, StringComparison.Ordinal);
        }
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private static (int Exit, string Output) FoldPerf(params string[] arguments) => LoadTestProcess.Run(["fold-perf", .. arguments]);

    public void Dispose() => _temp.Delete(recursive: true);
}
