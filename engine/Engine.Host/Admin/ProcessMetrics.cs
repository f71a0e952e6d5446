using System.Globalization;

namespace Engine.Host.Admin;

/// <summary>
/// The process_* and dotnet_* families every Prometheus exporter is expected to have, read from
/// /proc/self and the GC when scraped (names as the official client libraries use them).
/// </summary>
internal static class ProcessMetrics
{
    // /proc reports CPU time in USER_HZ ticks; USER_HZ is 100 on every Linux architecture
    // (it is part of the user-space ABI, independent of the kernel's CONFIG_HZ).
    private const double UserHz = 100;

    private static readonly double s_startTimeSeconds = ReadStartTimeSeconds();

    public static void Write(PrometheusTextWriter writer)
    {
        if (TryReadStatus(out var rssBytes, out var virtualBytes, out var threads))
        {
            writer.Family("process_resident_memory_bytes", "gauge", "Resident set size (VmRSS in /proc/self/status)");
            writer.Sample("process_resident_memory_bytes", "", rssBytes);
            writer.Family("process_virtual_memory_bytes", "gauge", "Virtual memory size (VmSize in /proc/self/status)");
            writer.Sample("process_virtual_memory_bytes", "", virtualBytes);
            writer.Family("process_threads", "gauge", "Threads in the process");
            writer.Sample("process_threads", "", threads);
        }
        if (TryReadCpuSeconds(out var cpuSeconds))
        {
            writer.Family("process_cpu_seconds_total", "counter", "User and system CPU time (/proc/self/stat utime + stime)");
            writer.Sample("process_cpu_seconds_total", "", cpuSeconds);
        }
        if (TryCountOpenFiles(out var openFiles))
        {
            writer.Family("process_open_fds", "gauge", "Open file descriptors");
            writer.Sample("process_open_fds", "", openFiles);
        }
        if (s_startTimeSeconds > 0)
        {
            writer.Family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch");
            writer.Sample("process_start_time_seconds", "", s_startTimeSeconds);
        }

        writer.Family("dotnet_gc_heap_size_bytes", "gauge", "Bytes the GC considers in use on the managed heap");
        writer.Sample("dotnet_gc_heap_size_bytes", "", GC.GetTotalMemory(forceFullCollection: false));
        writer.Family("dotnet_gc_committed_bytes", "gauge", "Memory the GC has committed, as of the last collection");
        writer.Sample("dotnet_gc_committed_bytes", "", GC.GetGCMemoryInfo().TotalCommittedBytes);
        writer.Family("dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since the process started (all threads)");
        writer.Sample("dotnet_gc_allocated_bytes_total", "", GC.GetTotalAllocatedBytes(precise: false));
        writer.Family("dotnet_gc_collections_total", "counter", "Garbage collections, by generation");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            writer.Sample("dotnet_gc_collections_total", PrometheusTextWriter.Label("generation", generation.ToString(CultureInfo.InvariantCulture)), GC.CollectionCount(generation));
        }
        writer.Family("dotnet_gc_pause_seconds_total", "counter", "Time the GC has paused the process");
        writer.Sample("dotnet_gc_pause_seconds_total", "", GC.GetTotalPauseDuration().TotalSeconds);
    }

    private static bool TryReadStatus(out long rssBytes, out long virtualBytes, out long threads)
    {
        rssBytes = virtualBytes = threads = -1;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rssBytes = KiloBytes(line) * 1024;
                }
                else if (line.StartsWith("VmSize:", StringComparison.Ordinal))
                {
                    virtualBytes = KiloBytes(line) * 1024;
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = long.Parse(line.AsSpan("Threads:".Length).Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return false;
        }
        return rssBytes >= 0 && virtualBytes >= 0 && threads >= 0;
    }

    /// <summary>"VmRSS:     12345 kB" -> 12345.</summary>
    private static long KiloBytes(string line)
    {
        var value = line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim();
        var space = value.IndexOf(' ');
        return long.Parse(space < 0 ? value : value.Slice(0, space), CultureInfo.InvariantCulture);
    }

    private static bool TryReadCpuSeconds(out double seconds)
    {
        seconds = 0;
        if (!TryReadStatFields(out var fields))
        {
            return false;
        }
        // Fields after "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
        seconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / UserHz;
        return true;
    }

    private static double ReadStartTimeSeconds()
    {
        // starttime (field 22) is in USER_HZ ticks since boot; btime in /proc/stat is the boot time.
        if (!TryReadStatFields(out var fields))
        {
            return 0;
        }
        try
        {
            var bootLine = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith("btime ", StringComparison.Ordinal));
            if (bootLine is null)
            {
                return 0;
            }
            var boot = long.Parse(bootLine.AsSpan("btime ".Length).Trim(), CultureInfo.InvariantCulture);
            return boot + (long.Parse(fields[19], CultureInfo.InvariantCulture) / UserHz);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    /// <summary>The space-separated fields of /proc/self/stat after the command name, which may itself hold spaces and parentheses.</summary>
    private static bool TryReadStatFields(out string[] fields)
    {
        fields = [];
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var end = stat.LastIndexOf(')');
            if (end < 0)
            {
                return false;
            }
            fields = stat.Substring(end + 1).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 19;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool TryCountOpenFiles(out long count)
    {
        count = 0;
        try
        {
            foreach (var _ in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                count++;
            }
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
