namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        // pid 0 is the calling thread; mask is a cpu_set_t of maskBytes bytes.
        [LibraryImport(Libraries.Libc, EntryPoint = "sched_setaffinity", SetLastError = true)]
        internal static unsafe partial int SchedSetAffinity(int pid, nuint maskBytes, ulong* mask);

        // The CPUs the thread (pid 0: the calling one) may run on, as taskset or a cgroup cpuset left them.
        [LibraryImport(Libraries.Libc, EntryPoint = "sched_getaffinity", SetLastError = true)]
        internal static unsafe partial int SchedGetAffinity(int pid, nuint maskBytes, ulong* mask);
    }
}
