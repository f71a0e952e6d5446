using System.Globalization;
using System.Runtime.InteropServices;

namespace Engine.LoadTest.Metrics;

/// <summary>What the report says about the machine.</summary>
internal sealed record MachineInfo(int Cores, string CpuModel, string Kernel, string Os, long MemoryMb, string Runtime)
{
    public static MachineInfo Read()
    {
        var model = "unknown";
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? model;
        }
        catch (IOException)
        {
        }
        var kernel = TryRead("/proc/sys/kernel/osrelease") ?? RuntimeInformation.OSDescription;
        long memoryMb = -1;
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            memoryMb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException)
        {
        }
        var os = "Linux";
        try
        {
            os = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?[12..].Trim('"') ?? os;
        }
        catch (IOException)
        {
        }
        return new MachineInfo(Environment.ProcessorCount, model, kernel.Trim(), os, memoryMb, RuntimeInformation.FrameworkDescription);
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The load average when the run started: the report says whether the machine was quiet.</summary>
    public static string LoadAverage() => TryRead("/proc/loadavg")?.Trim() ?? "unknown";
}
