namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        // pid 0 is the calling thread; mask is a cpu_set_t of maskBytes bytes.
        [LibraryImport(Libraries.Libc, EntryPoint = "sched_setaffinity", SetLastError = true)]
        internal static unsafe partial int SchedSetAffinity(int pid, nuint maskBytes, ulong* mask);
    }
}
