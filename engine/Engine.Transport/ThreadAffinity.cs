namespace Engine.Transport;

public static unsafe class ThreadAffinity
{
    // cpu_set_t of glibc: 1024 CPUs.
    private const int MaskBits = 1024;

    /// <summary>
    /// The CPUs this process may run on, in ascending order (taskset, a container's cpuset), read
    /// from the calling thread; empty where that cannot be read. Shards pin to these, not to CPUs
    /// 0..n-1, which may lie outside the set.
    /// </summary>
    public static int[] AllowedCpus()
    {
        if (!TransportPlatform.IsSupported)
        {
            return [];
        }
        ulong* mask = stackalloc ulong[MaskBits / 64];
        new Span<ulong>(mask, MaskBits / 64).Clear();
        if (Interop.Sys.SchedGetAffinity(0, MaskBits / 8, mask) != 0)
        {
            return [];
        }
        var cpus = new List<int>();
        for (var cpu = 0; cpu < MaskBits; cpu++)
        {
            if ((mask[cpu / 64] & (1UL << (cpu % 64))) != 0)
            {
                cpus.Add(cpu);
            }
        }
        return [.. cpus];
    }

    /// <summary>Pins the calling thread to <paramref name="cpu"/>. False (never throws) when refused or out of range.</summary>
    public static bool TryPinCurrentThread(int cpu)
    {
        if (!TransportPlatform.IsSupported || cpu is < 0 or >= MaskBits)
        {
            return false;
        }

        ulong* mask = stackalloc ulong[MaskBits / 64];
        new Span<ulong>(mask, MaskBits / 64).Clear();
        mask[cpu / 64] = 1UL << (cpu % 64);

        // pid 0: the calling thread (sched_setaffinity works on thread ids on Linux).
        return Interop.Sys.SchedSetAffinity(0, MaskBits / 8, mask) == 0;
    }
}
