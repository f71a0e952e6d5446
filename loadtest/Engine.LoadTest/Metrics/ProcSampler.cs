using System.Globalization;

namespace Engine.LoadTest.Metrics;

/// <summary>Reads a process's CPU time and RSS, and the kernel's UDP counters, from /proc.</summary>
internal static class ProcSampler
{
    // sysconf(_SC_CLK_TCK): USER_HZ is 100 on every Linux .NET runs on.
    public const double ClockTicksPerSecond = 100;

    /// <summary>utime + stime of the process in clock ticks (all its threads, live and exited); -1 when it is gone.</summary>
    public static long CpuTicks(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var rest = stat.AsSpan(stat.LastIndexOf(')') + 2);
            long utime = 0;
            var field = 3;
            foreach (var r in rest.Split(' '))
            {
                if (field == 14)
                {
                    utime = long.Parse(rest[r], CultureInfo.InvariantCulture);
                }
                else if (field == 15)
                {
                    return utime + long.Parse(rest[r], CultureInfo.InvariantCulture);
                }
                field++;
            }
        }
        catch (IOException)
        {
        }
        return -1;
    }

    /// <summary>VmRSS in kB from /proc/PID/status; -1 when unavailable.</summary>
    public static long RssKb(string pid) => StatusField(pid, "VmRSS:");

    public static long HighWaterRssKb(string pid) => StatusField(pid, "VmHWM:");

    private static long StatusField(string pid, string name)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                {
                    var digits = line.AsSpan(name.Length).Trim();
                    var space = digits.IndexOf(' ');
                    return long.Parse(space < 0 ? digits : digits[..space], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        return -1;
    }

    /// <summary>The Udp: line of /proc/net/snmp: (InErrors, RcvbufErrors) since boot, system-wide.</summary>
    public static (long InErrors, long RcvbufErrors) UdpErrors()
    {
        try
        {
            string[]? names = null;
            foreach (var line in File.ReadLines("/proc/net/snmp"))
            {
                if (!line.StartsWith("Udp: ", StringComparison.Ordinal))
                {
                    continue;
                }
                var parts = line[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (names is null)
                {
                    names = parts;
                    continue;
                }
                long Get(string n)
                {
                    var i = Array.IndexOf(names, n);
                    return i >= 0 && i < parts.Length ? long.Parse(parts[i], CultureInfo.InvariantCulture) : -1;
                }
                return (Get("InErrors"), Get("RcvbufErrors"));
            }
        }
        catch (IOException)
        {
        }
        return (-1, -1);
    }
}
