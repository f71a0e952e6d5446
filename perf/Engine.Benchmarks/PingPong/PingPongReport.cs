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
                          $"{o.WarmupSeconds} s warm-up, {o.Seconds} s measured; servers run one after the other.");
        s_loadAtStart = LoadAverage();
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores ({CpuModel()}), load average {s_loadAtStart}.");
        Console.WriteLine($"The clients (one thread in this process) and the server (a child process) share these {Environment.ProcessorCount} cores.");
    }

    public static void PrintScenarioLine(ScenarioResult r) =>
        Console.WriteLine(string.Create(s_inv,
            $"{r.RoundTripsPerSecond:N0} round trips/s, RTT p50 {r.RttP50Us:0.0} us p99 {r.RttP99Us:0.0} us, " +
            $"server {r.ServerCpuUsPerRoundTrip:0.00} us CPU/RT, {Bytes(r.ServerBytesPerMessage)} B alloc/msg, " +
            $"client {r.ClientCpuUsPerRoundTrip:0.00} us CPU/RT, " +
            $"lost {r.Lost}, stale {r.Stale}, disconnected clients {r.Disconnected}"));

    public static void PrintClientThreadLine(ScenarioResult r) =>
        Console.WriteLine(string.Create(s_inv,
            $"client thread allocated {r.ClientThreadAllocatedBytes:N0} B in its whole loop ({r.ClientThreadRoundTrips:N0} round trips, warm-up included)"));

    public static void PrintTable(PingPongOptions o, List<ScenarioResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"Results ({o.Clients} clients x 1 in flight, {o.Payload} B, {o.Seconds} s window; clients and server share the same {Environment.ProcessorCount} cores):");
        Console.WriteLine();
        string[] head = ["server", "round trips/s", "RTT p50 us", "RTT p99 us", "server CPU us/RT", "(stat ticks)", "server B alloc/msg", "client CPU us/RT", "lost", "client addrs"];
        var rows = new List<string[]> { head };
        foreach (ScenarioResult r in results)
        {
            if (!r.Ok)
            {
                rows.Add([r.Name, "failed", "", "", "", "", "", "", "", ""]);
                continue;
            }
            rows.Add([
                r.Name,
                r.RoundTripsPerSecond.ToString("N0", s_inv),
                r.RttP50Us.ToString("0.0", s_inv),
                r.RttP99Us.ToString("0.0", s_inv),
                r.ServerCpuUsPerRoundTrip.ToString("0.00", s_inv),
                r.ServerCpuUsPerRoundTripFromTicks.ToString("0.0", s_inv),
                Bytes(r.ServerBytesPerMessage),
                r.ClientCpuUsPerRoundTrip.ToString("0.00", s_inv),
                r.Lost.ToString(s_inv),
                r.ClientAddresses.ToString(s_inv),
            ]);
        }
        PrintRows(rows);
        foreach (ScenarioResult r in results.Where(r => !r.Ok))
            Console.WriteLine($"{r.Name} failed: {Shorten(r.Error ?? "no round trips in the window")}");
        foreach (ScenarioResult r in results.Where(r => r.Ok && r.Disconnected > 0))
            Console.WriteLine($"warning: {r.Name}: {r.Disconnected} clients were disconnected by the end of the run");

        ScenarioResult? engine = results.Find(r => r.Key == "engine" && r.Ok);
        ScenarioResult? lnl = results.Find(r => r.Key == "litenetlib" && r.Ok);
        ScenarioResult? c = results.Find(r => r.Key == "c" && r.Ok);
        Console.WriteLine();
        if (engine is not null && lnl is not null)
            PrintRatio("engine / LiteNetLib", engine, lnl);
        if (engine is not null && c is not null)
            PrintRatio("engine / C floor", engine, c);
        if (lnl is not null && c is not null)
            PrintRatio("LiteNetLib / C floor", lnl, c);
        Console.WriteLine("server CPU us/RT: on-CPU time of all server threads (schedstat) over the window / round trips in it; " +
                          "(stat ticks): the same from utime+stime at 10 ms resolution. B alloc/msg: server's total allocated bytes over the window / round trips. " +
                          "client addrs: distinct client ports the server sees (the batch clients share a few sockets, so replies to one port can be coalesced; real clients have one address each).");
    }

    private static void PrintRatio(string label, ScenarioResult a, ScenarioResult b) =>
        Console.WriteLine(string.Create(s_inv,
            $"{label}: throughput x{a.RoundTripsPerSecond / b.RoundTripsPerSecond:0.00}, " +
            $"server CPU per round trip x{a.ServerCpuUsPerRoundTrip / b.ServerCpuUsPerRoundTrip:0.00}, " +
            $"RTT p50 x{a.RttP50Us / b.RttP50Us:0.00}, p99 x{a.RttP99Us / b.RttP99Us:0.00}"));

    private static void PrintRows(List<string[]> rows)
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
            Console.WriteLine(sb.ToString().TrimEnd());
            if (r == 0)
            {
                sb.Clear().Append('|');
                for (int i = 0; i < cols; i++)
                    sb.Append(i == 0 ? ":" : "-").Append('-', width[i]).Append(i == 0 ? "-|" : ":|");
                Console.WriteLine(sb.ToString());
            }
        }
    }

    public static void WriteJson(PingPongOptions o, List<ScenarioResult> results, string path)
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
        if (o.Shards is int shards)
            w.WriteNumber("engineShards", shards);
        w.WriteNumber("processorCount", Environment.ProcessorCount);
        w.WriteString("cpuModel", CpuModel());
        w.WriteString("loadAverageAtStart", s_loadAtStart);
        w.WriteString("loadAverageAtEnd", LoadAverage());
        w.WriteString("note", "clients (one thread in the harness process) and the server (child process) share the same cores");
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
        w.WriteEndObject();
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
