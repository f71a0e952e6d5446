using System.Globalization;
using System.IO.Enumeration;

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

        WriteGc(writer, GC.GetGCMemoryInfo());
    }

    // The generations as GCMemoryInfo.GenerationInfo orders them.
    private static readonly string[] s_generationLabels =
        [.. new[] { "0", "1", "2", "loh", "poh" }.Select(g => PrometheusTextWriter.Label("generation", g))];

    /// <summary>
    /// The GC's own figures: what it has allocated and collected, and the heap as the last collection left
    /// it, per generation, with the free space inside it (fragmentation) and what it keeps committed. Next to
    /// RSS they tell a heap that holds more objects from one that only keeps more memory.
    /// </summary>
    internal static void WriteGc(PrometheusTextWriter writer, GCMemoryInfo info)
    {
        writer.Family("dotnet_gc_heap_size_bytes", "gauge", "Bytes the GC considers in use on the managed heap (what the last collection left plus what was allocated since)");
        writer.Sample("dotnet_gc_heap_size_bytes", "", GC.GetTotalMemory(forceFullCollection: false));
        writer.Family("dotnet_gc_committed_bytes", "gauge", "Memory the GC has committed, as of the last collection");
        writer.Sample("dotnet_gc_committed_bytes", "", info.TotalCommittedBytes);
        writer.Family("dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since the process started (all threads)");
        writer.Sample("dotnet_gc_allocated_bytes_total", "", GC.GetTotalAllocatedBytes(precise: false));
        writer.Family("dotnet_gc_collections_total", "counter", "Garbage collections, by generation");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            writer.Sample("dotnet_gc_collections_total", s_generationLabels[generation], GC.CollectionCount(generation));
        }
        writer.Family("dotnet_gc_pause_seconds_total", "counter", "Time the GC has paused the process");
        writer.Sample("dotnet_gc_pause_seconds_total", "", GC.GetTotalPauseDuration().TotalSeconds);

        var generations = info.GenerationInfo;
        writer.Family("dotnet_gc_last_collection_heap_size_bytes", "gauge", "Bytes of each generation (0, 1, 2, large and pinned object heaps) after the last collection, free space included");
        for (var g = 0; g < generations.Length && g < s_generationLabels.Length; g++)
        {
            writer.Sample("dotnet_gc_last_collection_heap_size_bytes", s_generationLabels[g], generations[g].SizeAfterBytes);
        }
        writer.Family("dotnet_gc_last_collection_fragmentation_bytes", "gauge", "Free space inside each generation after the last collection");
        for (var g = 0; g < generations.Length && g < s_generationLabels.Length; g++)
        {
            writer.Sample("dotnet_gc_last_collection_fragmentation_bytes", s_generationLabels[g], generations[g].FragmentationAfterBytes);
        }
    }

    // Scrapes run one at a time (the exporter's lock), so one buffer serves every /proc read.
    private static readonly byte[] s_procBuffer = new byte[16 * 1024];

    private static bool TryReadStatus(out long rssBytes, out long virtualBytes, out long threads)
    {
        rssBytes = virtualBytes = threads = -1;
        if (!TryReadProcFile("/proc/self/status", s_procBuffer, out var status))
        {
            return false;
        }
        // "VmRSS:     12345 kB"
        if (TryLineValue(status, "VmRSS:"u8, out var rssKb) && TryLineValue(status, "VmSize:"u8, out var sizeKb)
            && TryLineValue(status, "Threads:"u8, out threads))
        {
            rssBytes = rssKb * 1024;
            virtualBytes = sizeKb * 1024;
            return true;
        }
        return false;
    }

    /// <summary>The number after the key at the start of a line (/proc/self/status's "VmRSS:", /proc/stat's "btime").</summary>
    internal static bool TryLineValue(ReadOnlySpan<byte> status, ReadOnlySpan<byte> key, out long value)
    {
        value = -1;
        var at = 0;
        while (at < status.Length)
        {
            var line = status.Slice(at);
            var end = line.IndexOf((byte)'\n');
            if (end >= 0)
            {
                line = line.Slice(0, end);
            }
            if (line.StartsWith(key))
            {
                return TryParseLeadingNumber(line.Slice(key.Length).TrimStart(" \t"u8), out value);
            }
            at += end < 0 ? line.Length : end + 1;
        }
        return false;
    }

    private static bool TryReadCpuSeconds(out double seconds)
    {
        seconds = 0;
        if (!TryReadProcFile("/proc/self/stat", s_procBuffer, out var stat)
            || !TryStatField(stat, 11, out var userTicks) || !TryStatField(stat, 12, out var systemTicks))
        {
            return false;
        }
        // Fields after "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
        seconds = (userTicks + systemTicks) / UserHz;
        return true;
    }

    private static double ReadStartTimeSeconds()
    {
        // starttime (field 22) is in USER_HZ ticks since boot; btime in /proc/stat is the boot time.
        // Read once, whole: /proc/stat's interrupt line alone can run to many KB on big machines.
        try
        {
            return TryStatField(File.ReadAllBytes("/proc/self/stat"), 19, out var startTicks)
                && TryLineValue(File.ReadAllBytes("/proc/stat"), "btime"u8, out var boot)
                ? boot + (startTicks / UserHz)
                : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>
    /// The index-th space-separated field of /proc/self/stat after the command name, which may
    /// itself hold spaces and parentheses (so counting starts after the last ')').
    /// </summary>
    internal static bool TryStatField(ReadOnlySpan<byte> stat, int index, out long value)
    {
        value = 0;
        var end = stat.LastIndexOf((byte)')');
        if (end < 0)
        {
            return false;
        }
        var rest = stat.Slice(end + 1);
        for (var field = -1; field < index; field++)
        {
            rest = rest.TrimStart((byte)' ');
            if (field + 1 == index)
            {
                break;
            }
            var space = rest.IndexOf((byte)' ');
            if (space < 0)
            {
                return false;
            }
            rest = rest.Slice(space);
        }
        return TryParseLeadingNumber(rest, out value);
    }

    private static bool TryParseLeadingNumber(ReadOnlySpan<byte> text, out long value)
    {
        var digits = text.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        return long.TryParse(digits < 0 ? text : text.Slice(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Reads a small /proc file whole into the buffer (they are generated on read, so the length is unknown beforehand).</summary>
    private static bool TryReadProcFile(string path, byte[] buffer, out ReadOnlySpan<byte> contents)
    {
        contents = default;
        try
        {
            using var handle = File.OpenHandle(path);
            var length = 0;
            int read;
            while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0)
            {
                length += read;
            }
            contents = buffer.AsSpan(0, length);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Counting entries without making a string of each one's name.
    private static readonly FileSystemEnumerable<byte>.FindTransform s_nothing = static (ref FileSystemEntry _) => 0;

    private static bool TryCountOpenFiles(out long count)
    {
        count = 0;
        try
        {
            foreach (var _ in new FileSystemEnumerable<byte>("/proc/self/fd", s_nothing))
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
