namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        internal const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID

        [StructLayout(LayoutKind.Sequential)]
        internal struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [LibraryImport(Libraries.Libc, EntryPoint = "clock_gettime")]
        internal static unsafe partial int ClockGetTime(int clockId, TimeSpec* time);
    }
}
