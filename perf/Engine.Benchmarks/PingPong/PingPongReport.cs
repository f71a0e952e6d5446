using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Engine.Benchmarks.PingPong;

/// <summary>Console table, ratios and the JSON file of a pingpong run.</summary>
internal static class PingPongReport
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;
    private static string s_loadAtStart = "unknown";

    public static void PrintHeader(PingPongOptions o)
    {
        Console.WriteLine($"Ping-pong: {o.Clients} clients, one {o.Payload}-byte unreliable message in flight each, " +
                          $"{o.WarmupSeconds} s warm-up, {o.Seconds} s measured; servers run one after the other, " +
                          (o.Layouts.Count > 1 ? "in each client layout in turn:" : "in one client layout:"));
        foreach (ClientLayout layout in o.Layouts)
            Console.WriteLine($"  {layout.Title(o.Clients)}");
        s_loadAtStart = LoadAverage();
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores ({CpuModel()}), load average {s_loadAtStart}.");
        Console.WriteLine($"The clients (one thread in this process) and the server (a child process) share these {Environment.ProcessorCount} cores.");
    }

    public static void PrintScenarioLine(ScenarioResult r) =>
        Console.WriteLine(string.Create(s_inv,
            $"{r.RoundTripsPerSecond:N0} round trips/s, RTT p50 {r.RttP50Us:0.0} us p99 {r.RttP99Us:0.0} us, " +
            $"server {r.ServerCpuUsPerRoundTrip:0.00} us CPU/RT ({r.ServerUserShare:P0} user, {1 - r.ServerUserShare:P0} kernel), {Bytes(r.ServerBytesPerMessage)} B alloc/msg, " +
            $"client {r.ClientCpuUsPerRoundTrip:0.00} us CPU/RT, " +
            $"lost {r.Lost}, stale {r.Stale}, disconnected clients {r.Disconnected}"));

    public static void PrintClientThreadLine(ScenarioResult r) =>
        Console.WriteLine(string.Create(s_inv,
            $"client thread allocated {r.ClientThreadAllocatedBytes:N0} B in its whole loop ({r.ClientThreadRoundTrips:N0} round trips, warm-up included)"));

    /// <summary>One table per layout, in the order they ran (the realistic one first), then what the columns mean.</summary>
    public static void WriteTables(TextWriter w, PingPongOptions o, IReadOnlyList<LayoutResults> layouts)
    {
        foreach (LayoutResults layout in layouts)
            WriteTable(w, o, layout);
        w.WriteLine();
        w.WriteLine("server CPU us/RT: on-CPU time of all server threads (schedstat) over the window / round trips in it; " +
                    "(stat ticks): the same from utime+stime at 10 ms resolution. CPU / C echo: server CPU us/RT / the C echo's in the same layout " +
                    "(the kernel floor: no protocol, no allocation). B alloc/msg: server's total allocated bytes over the window / round trips. " +
                    "client addrs: distinct client ports the server sees.");
    }

    private static void WriteTable(TextWriter w, PingPongOptions o, LayoutResults layout)
    {
        w.WriteLine();
        w.WriteLine($"{layout.Layout.Title(o.Clients)}: {o.Clients} clients x 1 in flight, {o.Payload} B, {o.Seconds} s window; " +
                    $"clients and server share the same {Environment.ProcessorCount} cores.");
        w.WriteLine(layout.Layout.Measures);
        w.WriteLine();
        ScenarioResult? c = layout.Ok("c");
        string[] head = ["server", "round trips/s", "RTT p50 us", "RTT p99 us", "server CPU us/RT", "(stat ticks)", "CPU / C echo", "server B alloc/msg", "client CPU us/RT", "lost", "client addrs"];
        var rows = new List<string[]> { head };
        foreach (ScenarioResult r in layout.Results)
        {
            if (!r.Ok)
            {
                rows.Add([r.Name, "failed", "", "", "", "", "", "", "", "", ""]);
                continue;
            }
            rows.Add([
                r.Name,
                r.RoundTripsPerSecond.ToString("N0", s_inv),
                r.RttP50Us.ToString("0.0", s_inv),
                r.RttP99Us.ToString("0.0", s_inv),
                r.ServerCpuUsPerRoundTrip.ToString("0.00", s_inv),
                r.ServerCpuUsPerRoundTripFromTicks.ToString("0.0", s_inv),
                c is null ? "n/a" : (r.ServerCpuUsPerRoundTrip / c.ServerCpuUsPerRoundTrip).ToString("0.00", s_inv),
                Bytes(r.ServerBytesPerMessage),
                r.ClientCpuUsPerRoundTrip.ToString("0.00", s_inv),
                r.Lost.ToString(s_inv),
                r.ClientAddresses.ToString(s_inv),
            ]);
        }
        WriteRows(w, rows);
        foreach (ScenarioResult r in layout.Results.Where(r => !r.Ok))
            w.WriteLine($"{r.Name} failed: {Shorten(r.Error ?? "no round trips in the window")}");
        foreach (ScenarioResult r in layout.Results.Where(r => r.Ok && r.Disconnected > 0))
            w.WriteLine($"warning: {r.Name}: {r.Disconnected} clients were disconnected by the end of the run");

        w.WriteLine();
        w.WriteLine(c is null
            ? "kernel floor: the C echo did not run in this layout, so there is no CPU / C echo."
            : string.Create(s_inv, $"kernel floor: the C recvmmsg echo, {c.ServerCpuUsPerRoundTrip:0.00} us server CPU per round trip in this layout."));
        if (layout.Ok("engine") is { } engine && layout.Ok("litenetlib") is { } lnl)
        {
            w.WriteLine(string.Create(s_inv,
                $"engine / LiteNetLib: server CPU per round trip x{engine.ServerCpuUsPerRoundTrip / lnl.ServerCpuUsPerRoundTrip:0.00}, " +
                $"throughput x{engine.RoundTripsPerSecond / lnl.RoundTripsPerSecond:0.00}, " +
                $"RTT p50 x{engine.RttP50Us / lnl.RttP50Us:0.00}, p99 x{engine.RttP99Us / lnl.RttP99Us:0.00} " +
                $"(below 1 is better for CPU and RTT, above 1 for throughput)."));
        }
    }

    private static void WriteRows(TextWriter w, List<string[]> rows)
    {
        int cols = rows[0].Length;
        var width = new int[cols];
        foreach (string[] row in rows)
        {
            for (int i = 0; i < cols; i++)
                width[i] = Math.Max(width[i], row[i].Length);
        }
        var sb = new StringBuilder();
        for (int r = 0; r < rows.Count; r++)
        {
            sb.Clear().Append("| ");
            for (int i = 0; i < cols; i++)
            {
                string cell = rows[r][i];
                sb.Append(i == 0 ? cell.PadRight(width[i]) : cell.PadLeft(width[i])).Append(" | ");
            }
            w.WriteLine(sb.ToString().TrimEnd());
            if (r == 0)
            {
                sb.Clear().Append('|');
                for (int i = 0; i < cols; i++)
                    sb.Append(i == 0 ? ":" : "-").Append('-', width[i]).Append(i == 0 ? "-|" : ":|");
                w.WriteLine(sb.ToString());
            }
        }
    }

    public static void WriteJson(PingPongOptions o, IReadOnlyList<LayoutResults> layouts, string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("kind", "engine-pingpong");
        w.WriteString("timestampUtc", DateTime.UtcNow.ToString("O", s_inv));
        w.WriteNumber("clients", o.Clients);
        w.WriteNumber("payloadBytes", o.Payload);
        w.WriteNumber("warmupSeconds", o.WarmupSeconds);
        w.WriteNumber("measuredSeconds", o.Seconds);
        w.WriteNumber("engineShards", o.Shards);
        w.WriteNumber("processorCount", Environment.ProcessorCount);
        w.WriteString("cpuModel", CpuModel());
        w.WriteString("loadAverageAtStart", s_loadAtStart);
        w.WriteString("loadAverageAtEnd", LoadAverage());
        w.WriteString("note", "clients (one thread in the harness process) and the server (child process) share the same cores");
        w.WriteStartArray("layouts");
        foreach (LayoutResults layout in layouts)
        {
            w.WriteStartObject();
            w.WriteString("key", layout.Layout.Key);
            w.WriteString("title", layout.Layout.Title(o.Clients));
            w.WriteString("measures", layout.Layout.Measures);
            w.WriteNumber("clientSockets", layout.Layout.Sockets);
            WriteResults(w, layout.Results);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteResults(Utf8JsonWriter w, IReadOnlyList<ScenarioResult> results)
    {
        w.WriteStartArray("results");
        foreach (ScenarioResult r in results)
        {
            w.WriteStartObject();
            w.WriteString("key", r.Key);
            w.WriteString("name", r.Name);
            w.WriteBoolean("ok", r.Ok);
            if (r.Error is not null)
                w.WriteString("error", r.Error);
            w.WriteString("serverCommand", r.ServerCommand);
            w.WriteString("clients", r.ClientDescription);
            w.WriteNumber("clientAddresses", r.ClientAddresses);
            w.WriteNumber("windowSeconds", r.WindowSeconds);
            w.WriteNumber("roundTrips", r.RoundTrips);
            w.WriteNumber("roundTripsPerSecond", Finite(r.RoundTripsPerSecond));
            WriteNumberOrNull(w, "rttP50Us", r.RttP50Us);
            WriteNumberOrNull(w, "rttP99Us", r.RttP99Us);
            WriteNumberOrNull(w, "rttP999Us", r.RttP999Us);
            WriteNumberOrNull(w, "rttMaxUs", r.RttMaxUs);
            w.WriteNumber("serverCpuNs", r.ServerCpuNs);
            w.WriteNumber("serverCpuStatTicks", r.ServerCpuTicks);
            w.WriteNumber("serverUserCpuStatTicks", r.ServerUserCpuTicks);
            WriteNumberOrNull(w, "serverCpuUsPerRoundTrip", r.ServerCpuUsPerRoundTrip);
            WriteNumberOrNull(w, "serverCpuUsPerRoundTripFromStat", r.ServerCpuUsPerRoundTripFromTicks);
            WriteNumberOrNull(w, "clientCpuUsPerRoundTrip", r.ClientCpuUsPerRoundTrip);
            w.WriteNumber("clientAllocatedBytes", r.ClientAllocatedBytes);
            w.WriteNumber("clientThreadAllocatedBytes", r.ClientThreadAllocatedBytes);
            w.WriteNumber("clientThreadRoundTrips", r.ClientThreadRoundTrips);
            WriteNumberOrNull(w, "clientBytesPerMessage", r.ClientBytesPerMessage);
            if (r.ServerAllocatedBytes is long alloc)
                w.WriteNumber("serverAllocatedBytes", alloc);
            else
                w.WriteNull("serverAllocatedBytes");
            WriteNumberOrNull(w, "serverBytesPerMessage", r.ServerBytesPerMessage ?? double.NaN);
            w.WriteNumber("lost", r.Lost);
            w.WriteNumber("stale", r.Stale);
            w.WriteNumber("disconnectedClients", r.Disconnected);
            if (r.ServerExitCode is int code)
                w.WriteNumber("serverExitCode", code);
            else
                w.WriteNull("serverExitCode");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v))
            w.WriteNumber(name, Math.Round(v, 3));
        else
            w.WriteNull(name);
    }

    private static double Finite(double v) => double.IsFinite(v) ? Math.Round(v, 1) : 0;

    private static string Bytes(double? perMessage) => perMessage is double b ? b.ToString(b < 10 ? "0.00" : "0.0", s_inv) : "n/a";

    private static string Shorten(string s)
    {
        string first = s.Split('\n')[0].Trim();
        return first.Length <= 200 ? first : first[..197] + "...";
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string CpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }
        return "unknown CPU";
    }
}
