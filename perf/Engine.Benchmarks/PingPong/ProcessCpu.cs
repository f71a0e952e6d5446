using System.Globalization;

namespace Engine.Benchmarks.PingPong;

/// <summary>
/// CPU time a process has used, read from /proc. Two sources: the sum over its threads of
/// /proc/PID/task/TID/schedstat's first field (nanoseconds on a CPU, precise), and
/// utime + stime from /proc/PID/stat (clock ticks, 10 ms at USER_HZ = 100, but it also
/// keeps the time of threads that have exited), of which <see cref="UserTicks"/> in user space
/// (utime; the rest, stime, is the kernel's: syscalls and the softirqs they run).
/// </summary>
internal readonly record struct ProcessCpu(long OnCpuNanoseconds, long StatTicks, long UserTicks)
{
    // sysconf(_SC_CLK_TCK) is 100 on every Linux architecture .NET runs on (USER_HZ).
    public const int ClockTicksPerSecond = 100;

    public static ProcessCpu Sample(int pid)
    {
        var (statTicks, userTicks) = ReadStatTicks(pid);
        long ns = 0;
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                string text = File.ReadAllText(Path.Combine(task, "schedstat"));
                int space = text.IndexOf(' ');
                ns += long.Parse(text.AsSpan(0, space < 0 ? text.Length : space), CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread exited between listing and reading; its time is in StatTicks only.
            }
        }
        return new ProcessCpu(ns, statTicks, userTicks);
    }

    private static (long Total, long User) ReadStatTicks(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name is in parentheses and may hold spaces; fields after it start at 3 (state).
        ReadOnlySpan<char> rest = stat.AsSpan(stat.LastIndexOf(')') + 2);
        long utime = 0, stime = 0;
        int field = 3;
        foreach (Range r in rest.Split(' '))
        {
            if (field == 14)
                utime = long.Parse(rest[r], CultureInfo.InvariantCulture);
            else if (field == 15)
            {
                stime = long.Parse(rest[r], CultureInfo.InvariantCulture);
                break;
            }
            field++;
        }
        return (utime + stime, utime);
    }

    public static ProcessCpu operator -(ProcessCpu a, ProcessCpu b) =>
        new(a.OnCpuNanoseconds - b.OnCpuNanoseconds, a.StatTicks - b.StatTicks, a.UserTicks - b.UserTicks);

    public double StatNanoseconds => StatTicks * (1e9 / ClockTicksPerSecond);
}
