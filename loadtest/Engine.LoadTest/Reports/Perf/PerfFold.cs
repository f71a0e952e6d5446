using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.LoadTest.Metrics;

namespace Engine.LoadTest.Reports.Perf;

/// <summary>
/// `loadtest fold-perf`: folds BenchmarkDotNet's JSON results and a ping-pong run's JSON into a
/// report folder (by default the one reports/latest points at; a fresh one when there is none):
/// writes perf.md, adds the same section to report.md and report.html between markers (replaced
/// when folded again), adds a `perf` object to summary.json and copies the sources to perf/.
/// The load test's own files are otherwise left as they are.
/// </summary>
internal static class PerfFold
{
    public const string Usage = """
        usage: loadtest fold-perf [--bdn DIR] [--pingpong FILE] [--reports DIR] [--report DIR]
          --bdn DIR        BenchmarkDotNet's results folder (its *-report*.json files)
          --pingpong FILE  the JSON the ping-pong writes with --json
          --reports DIR    reports root (default: reports); the folder is DIR/latest, or a new DIR/<timestamp>-perf
          --report DIR     fold into this folder instead
        At least one of --bdn and --pingpong.
        """;

    public const string StartMarker = "<!-- perf-report:start -->";
    public const string EndMarker = "<!-- perf-report:end -->";

    private const string Title = "Performance: micro-benchmarks and ping-pong";

    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        string? bdn = null, pingpong = null, report = null;
        var reports = "reports";
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--bdn": bdn = Value(); break;
                    case "--pingpong": pingpong = Value(); break;
                    case "--reports": reports = Value(); break;
                    case "--report": report = Value(); break;
                    case "-h" or "--help": Console.WriteLine(Usage); return 0;
                    default: throw new UsageException($"unknown option '{args[i]}'");
                }
            }
            var directory = Fold(bdn, pingpong, reports, report, DateTime.UtcNow);
            var shown = Path.GetRelativePath(Environment.CurrentDirectory, directory);
            Console.WriteLine($"fold-perf: {(shown.StartsWith("..", StringComparison.Ordinal) ? directory : shown)}/perf.md written; report.md, report.html and summary.json carry the perf section");
            return 0;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"loadtest fold-perf: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"loadtest fold-perf: {e.Message}");
            return 1;
        }
    }

    /// <summary>Folds what is given into the report folder and returns that folder's full path.</summary>
    public static string Fold(string? bdnDirectory, string? pingPongFile, string reportsRoot, string? reportDirectory, DateTime nowUtc)
    {
        if (bdnDirectory is null && pingPongFile is null)
        {
            throw new UsageException("nothing to fold: give --bdn, --pingpong or both");
        }
        List<BenchmarkCase>? cases = null;
        string? bdnVersion = null, bdnHost = null;
        if (bdnDirectory is not null)
        {
            if (!Directory.Exists(bdnDirectory))
            {
                throw new UsageException($"--bdn: no folder {bdnDirectory}");
            }
            (cases, bdnVersion, bdnHost) = BenchmarkCase.ReadAll(bdnDirectory);
            if (cases.Count == 0)
            {
                throw new InvalidDataException($"{bdnDirectory}: no BenchmarkDotNet JSON report (*-report*.json); run the benchmarks with --exporters json");
            }
        }
        PingPongRun? pingPong = null;
        if (pingPongFile is not null)
        {
            if (!File.Exists(pingPongFile))
            {
                throw new UsageException($"--pingpong: no file {pingPongFile}");
            }
            pingPong = PingPongRun.Read(pingPongFile);
        }

        var directory = reportDirectory is not null ? Path.GetFullPath(reportDirectory) : ResolveLatest(reportsRoot, nowUtc);
        Directory.CreateDirectory(directory);
        var sources = CopySources(directory, bdnDirectory, pingPongFile);
        var machine = MachineInfo.Read();
        var document = Document(cases, bdnVersion, bdnHost, pingPong, machine, sources, nowUtc);

        File.WriteAllText(Path.Combine(directory, "perf.md"), MarkdownRenderer.Render(document));
        FoldMarkdown(Path.Combine(directory, "report.md"), document);
        FoldHtml(Path.Combine(directory, "report.html"), document);
        FoldSummary(Path.Combine(directory, "summary.json"), Summary(cases, bdnVersion, pingPong, machine, nowUtc));
        return directory;
    }

    /// <summary>The folder reports/latest points at; when there is none, a new timestamped folder that latest then points at.</summary>
    private static string ResolveLatest(string reportsRoot, DateTime nowUtc)
    {
        var root = Path.GetFullPath(reportsRoot);
        var latest = Path.Combine(root, "latest");
        var link = new FileInfo(latest).LinkTarget;
        if (link is not null)
        {
            var target = Path.GetFullPath(link, root);
            if (Directory.Exists(target))
            {
                return target;
            }
            File.Delete(latest); // dangling: its run was deleted
        }
        else if (Directory.Exists(latest))
        {
            return latest;
        }
        var name = $"{nowUtc:yyyyMMdd-HHmmss}-perf";
        Directory.CreateDirectory(Path.Combine(root, name));
        File.CreateSymbolicLink(latest, name);
        return Path.Combine(root, name);
    }

    /// <summary>Copies the raw results next to the report (perf/bdn/, perf/pingpong.json); returns their paths relative to it.</summary>
    private static List<string> CopySources(string directory, string? bdnDirectory, string? pingPongFile)
    {
        var copied = new List<string>();
        if (bdnDirectory is not null)
        {
            var target = Path.Combine(directory, "perf", "bdn");
            Directory.CreateDirectory(target);
            foreach (var file in Directory.GetFiles(bdnDirectory, "*-report*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith("-github.md", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var destination = Path.Combine(target, Path.GetFileName(file));
                if (Path.GetFullPath(file) != destination)
                {
                    File.Copy(file, destination, overwrite: true);
                }
                copied.Add(Path.GetRelativePath(directory, destination));
            }
        }
        if (pingPongFile is not null)
        {
            var destination = Path.Combine(directory, "perf", "pingpong.json");
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            if (Path.GetFullPath(pingPongFile) != destination)
            {
                File.Copy(pingPongFile, destination, overwrite: true);
            }
            copied.Add(Path.GetRelativePath(directory, destination));
        }
        return copied;
    }

    private static ReportDocument Document(List<BenchmarkCase>? cases, string? bdnVersion, string? bdnHost, PingPongRun? pingPong,
        MachineInfo machine, List<string> sources, DateTime nowUtc)
    {
        var doc = new ReportDocument(Title);
        doc.Paragraph($"Folded {nowUtc:yyyy-MM-dd HH:mm} UTC by `./build.sh perf-report` (`loadtest fold-perf`). Raw results: {string.Join(", ", sources.Select(s => $"`{s}`"))}.");

        doc.Heading(2, "Machine");
        doc.Paragraph($"{machine.Cores} cores ({machine.CpuModel}), {machine.MemoryMb} MB, {machine.Os}, kernel {machine.Kernel}, {machine.Runtime}."
            + (pingPong is not null ? $" Load average when the ping-pong started: {pingPong.LoadAverageAtStart}; when it ended: {pingPong.LoadAverageAtEnd}." : ""));
        doc.Paragraph($"**Everything shares these {machine.Cores} cores.** The benchmarks ran one process at a time next to whatever else the machine was doing; "
            + "in the ping-pong the client thread (in the harness process) and the server (a child process) run on the same cores, so a client that costs more CPU leaves less for its server. "
            + "Compare servers by CPU per round trip; throughput and latency move with the machine's load.");

        if (cases is not null)
        {
            doc.Heading(2, "Micro-benchmarks (BenchmarkDotNet)");
            var free = cases.Count(c => c.AllocatedBytes == 0);
            var jobs = string.Join(", ", cases.Select(c => c.Job).Where(j => j.Length > 0).Distinct());
            doc.Paragraph($"BenchmarkDotNet {bdnVersion ?? "?"}{(bdnHost is null ? "" : $" on {bdnHost}")}; job {(jobs.Length > 0 ? $"`{jobs}`" : "?")} "
                + "(perf/Engine.Benchmarks/BenchmarkConfig.cs: workstation non-concurrent GC, so *Allocated* is exact). "
                + $"{cases.Count} cases, {free} of them allocate nothing. Times are per operation; Error is half the 99.9% confidence interval.");
            foreach (var group in cases.GroupBy(c => c.Type))
            {
                doc.Heading(3, group.Key);
                var withParameters = group.Any(c => c.Parameters.Length > 0);
                var withJob = group.Select(c => c.Job).Distinct().Count() > 1;
                var header = new List<string> { "Method" };
                if (withParameters)
                {
                    header.Add("Parameters");
                }
                if (withJob)
                {
                    header.Add("Job");
                }
                header.AddRange(["Mean", "Error", "StdDev", "P95", "Allocated"]);
                var right = header.Select(h => h is not ("Method" or "Parameters" or "Job")).ToArray();
                var rows = group.Select(c =>
                {
                    var row = new List<ReportCell> { c.Method };
                    if (withParameters)
                    {
                        row.Add(c.Parameters);
                    }
                    if (withJob)
                    {
                        row.Add(c.Job);
                    }
                    row.AddRange([Time(c.MeanNs), Time(c.ErrorNs), Time(c.StdDevNs), Time(c.P95Ns), Bytes(c.AllocatedBytes)]);
                    return row.ToArray();
                }).ToList();
                doc.Table(new ReportTable([.. header], rows) { RightAligned = right });
            }
        }

        if (pingPong is not null)
        {
            doc.Heading(2, "Ping-pong");
            doc.Paragraph($"{pingPong.Clients} clients, each with one {pingPong.PayloadBytes}-byte unreliable message in flight; {pingPong.WarmupSeconds} s warm-up, "
                + $"{pingPong.MeasuredSeconds} s measured; the servers run one after the other, in each client layout in turn (docs/PERF.md says how each figure is taken). "
                + "CPU / C echo is a server's CPU per round trip over the C recvmmsg echo's in the same layout, the kernel floor.");
            foreach (var layout in pingPong.Layouts)
            {
                doc.Heading(3, layout.Title);
                if (layout.Measures.Length > 0)
                {
                    doc.Paragraph(layout.Measures);
                }
                doc.Table(new ReportTable(
                    ["server", "round trips/s", "RTT p50 µs", "RTT p99 µs", "server CPU µs/RT", "CPU / C echo", "server B alloc/msg", "client CPU µs/RT", "lost", "client addrs"],
                    [.. layout.Results.Select(r => r.Ok
                        ? new ReportCell[] { r.Name, Number(r.RoundTripsPerSecond, "#,0"), Number(r.RttP50Us, "#,0.0"), Number(r.RttP99Us, "#,0.0"), Number(r.ServerCpuUsPerRoundTrip, "0.00"),
                            Number(r.ServerCpuUsPerRoundTrip / layout.KernelFloorUs, "0.00"), Number(r.ServerBytesPerMessage, "0.00"), Number(r.ClientCpuUsPerRoundTrip, "0.00"),
                            r.Lost.ToString(s_inv), r.ClientAddresses.ToString(s_inv) }
                        : [r.Name, "failed: " + (r.Error ?? "no round trips"), "", "", "", "", "", "", "", ""])])
                {
                    RightAligned = [false, true, true, true, true, true, true, true, true, true],
                });
                doc.Paragraph(double.IsFinite(layout.KernelFloorUs)
                    ? $"Kernel floor in this layout: the C recvmmsg echo, {Number(layout.KernelFloorUs, "0.00")} µs server CPU per round trip."
                    : "Kernel floor: the C echo did not run in this layout.");
                if (EngineVersusLiteNetLib(layout) is { } ratio)
                {
                    doc.Paragraph($"engine / LiteNetLib: server CPU per round trip x{Number(ratio.ServerCpu, "0.00")}, throughput x{Number(ratio.Throughput, "0.00")} "
                        + "(below 1 is better for CPU, above 1 for throughput).");
                }
            }
        }
        return doc;
    }

    private static (double Throughput, double ServerCpu)? EngineVersusLiteNetLib(PingPongLayout layout) =>
        layout.Ok("engine") is { } engine && layout.Ok("litenetlib") is { } lnl
            ? (engine.RoundTripsPerSecond / lnl.RoundTripsPerSecond, engine.ServerCpuUsPerRoundTrip / lnl.ServerCpuUsPerRoundTrip)
            : null;

    private static JsonObject Summary(List<BenchmarkCase>? cases, string? bdnVersion, PingPongRun? pingPong, MachineInfo machine, DateTime nowUtc)
    {
        var perf = new JsonObject
        {
            ["folded_utc"] = nowUtc.ToString("O", s_inv),
            ["machine"] = new JsonObject
            {
                ["cores"] = machine.Cores,
                ["cpu_model"] = machine.CpuModel,
                ["kernel"] = machine.Kernel,
                ["os"] = machine.Os,
                ["runtime"] = machine.Runtime,
            },
            ["note"] = $"the benchmarks, the ping-pong clients and its servers all ran on these {machine.Cores} cores, which they share with each other and anything else running",
        };
        if (cases is not null)
        {
            perf["benchmarks"] = new JsonObject
            {
                ["version"] = bdnVersion,
                ["count"] = cases.Count,
                ["allocation_free"] = cases.Count(c => c.AllocatedBytes == 0),
                ["cases"] = new JsonArray([.. cases.Select(c => (JsonNode?)new JsonObject
                {
                    ["name"] = c.Name,
                    ["parameters"] = c.Parameters,
                    ["job"] = c.Job,
                    ["mean_ns"] = Json(c.MeanNs),
                    ["error_ns"] = Json(c.ErrorNs),
                    ["stddev_ns"] = Json(c.StdDevNs),
                    ["p95_ns"] = Json(c.P95Ns),
                    ["allocated_bytes"] = c.AllocatedBytes is double a ? Json(a) : null,
                })]),
            };
        }
        if (pingPong is not null)
        {
            perf["pingpong"] = new JsonObject
            {
                ["clients"] = pingPong.Clients,
                ["payload_bytes"] = pingPong.PayloadBytes,
                ["warmup_seconds"] = pingPong.WarmupSeconds,
                ["measured_seconds"] = pingPong.MeasuredSeconds,
                ["load_average_start"] = pingPong.LoadAverageAtStart,
                ["layouts"] = new JsonArray([.. pingPong.Layouts.Select(layout => (JsonNode?)new JsonObject
                {
                    ["key"] = layout.Key,
                    ["title"] = layout.Title,
                    ["client_sockets"] = layout.ClientSockets,
                    ["kernel_floor_server_cpu_us_per_round_trip"] = Json(layout.KernelFloorUs),
                    ["results"] = new JsonArray([.. layout.Results.Select(r => (JsonNode?)new JsonObject
                    {
                        ["key"] = r.Key,
                        ["name"] = r.Name,
                        ["ok"] = r.Ok,
                        ["error"] = r.Error,
                        ["round_trips_per_s"] = Json(r.RoundTripsPerSecond),
                        ["rtt_p50_us"] = Json(r.RttP50Us),
                        ["rtt_p99_us"] = Json(r.RttP99Us),
                        ["server_cpu_us_per_round_trip"] = Json(r.ServerCpuUsPerRoundTrip),
                        ["server_cpu_vs_kernel_floor"] = Json(r.ServerCpuUsPerRoundTrip / layout.KernelFloorUs),
                        ["server_bytes_per_message"] = Json(r.ServerBytesPerMessage),
                        ["client_cpu_us_per_round_trip"] = Json(r.ClientCpuUsPerRoundTrip),
                        ["lost"] = r.Lost,
                        ["client_addresses"] = r.ClientAddresses,
                    })]),
                    ["engine_vs_litenetlib"] = EngineVersusLiteNetLib(layout) is { } ratio
                        ? new JsonObject { ["throughput"] = Json(ratio.Throughput), ["server_cpu_per_round_trip"] = Json(ratio.ServerCpu) }
                        : null,
                })]),
            };
        }
        return perf;
    }

    private static void FoldMarkdown(string path, ReportDocument document)
    {
        var section = new StringBuilder()
            .AppendLine(StartMarker)
            .Append(MarkdownRenderer.Render(document, headingShift: 1).Replace($"## {Title}", $"## {Title} ([perf.md](perf.md))", StringComparison.Ordinal))
            .AppendLine(EndMarker)
            .ToString();
        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Performance report\n\n";
        File.WriteAllText(path, Splice(existing, section, insertBefore: null));
    }

    private static void FoldHtml(string path, ReportDocument document)
    {
        var section = StartMarker + "\n<section id=\"perf\">\n" + HtmlRenderer.Render(document, headingShift: 1) + "<p>The same as Markdown: <a href=\"perf.md\">perf.md</a>.</p>\n</section>\n" + EndMarker + "\n";
        var existing = File.Exists(path)
            ? File.ReadAllText(path)
            : "<!doctype html><html><head><meta charset=\"utf-8\"><title>Engine performance report</title>\n"
              + "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em 0}"
              + "td,th{border:1px solid #ccc;padding:3px 8px}td.num{text-align:right;font-variant-numeric:tabular-nums}</style></head><body>\n"
              + "<h1>Performance report</h1>\n</body></html>\n";
        File.WriteAllText(path, Splice(existing, section, insertBefore: "</body>"));
    }

    private static void FoldSummary(string path, JsonObject perf)
    {
        var summary = File.Exists(path)
            ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object")
            : new JsonObject();
        summary["perf"] = perf;
        File.WriteAllText(path, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Replaces the text between the markers; without them, inserts before the last <paramref name="insertBefore"/> or appends.</summary>
    internal static string Splice(string existing, string section, string? insertBefore)
    {
        var start = existing.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = existing.IndexOf(EndMarker, StringComparison.Ordinal);
        if (start >= 0 && end > start)
        {
            var after = end + EndMarker.Length;
            if (after < existing.Length && existing[after] == '\n')
            {
                after++;
            }
            return existing[..start] + section + existing[after..];
        }
        var at = insertBefore is null ? -1 : existing.LastIndexOf(insertBefore, StringComparison.OrdinalIgnoreCase);
        if (at >= 0)
        {
            return existing[..at] + section + existing[at..];
        }
        return existing + (existing.EndsWith('\n') ? "\n" : "\n\n") + section;
    }

    /// <summary>BenchmarkDotNet's way: ns below 1 µs, then µs, ms and s, four significant digits or so.</summary>
    internal static string Time(double ns)
    {
        if (double.IsNaN(ns))
        {
            return "n/a";
        }
        var (value, unit) = Math.Abs(ns) switch
        {
            < 1e3 => (ns, "ns"),
            < 1e6 => (ns / 1e3, "µs"),
            < 1e9 => (ns / 1e6, "ms"),
            _ => (ns / 1e9, "s"),
        };
        var format = Math.Abs(value) switch
        {
            < 10 => "0.000",
            < 100 => "0.00",
            _ => "0.0",
        };
        return value.ToString(format, s_inv) + " " + unit;
    }

    internal static string Bytes(double? bytes) => bytes switch
    {
        null => "n/a",
        0 => "0 B",
        double b => b.ToString("#,0.#", s_inv) + " B",
    };

    private static string Number(double value, string format) => double.IsFinite(value) ? value.ToString(format, s_inv) : "n/a";

    private static JsonNode? Json(double value) => double.IsFinite(value) ? JsonValue.Create(Math.Round(value, 4)) : null;
}
