namespace Engine.Transport;

/// <summary>
/// CPU time the calling thread has used. Next to wall time it separates what a piece of work costs
/// from the time the thread sat preempted waiting for a core (which, on a machine shared with
/// other busy processes, is most of a slow tick).
/// </summary>
public static unsafe class ThreadCpuClock
{
    /// <summary>Microseconds of CPU this thread has used, or -1 where the platform cannot tell.</summary>
    public static long NowUs()
    {
        if (!TransportPlatform.IsSupported)
        {
            return -1;
        }
        Interop.Sys.TimeSpec time;
        return Interop.Sys.ClockGetTime(Interop.Sys.ClockThreadCpuTime, &time) == 0
            ? (time.Seconds * 1_000_000) + (time.Nanoseconds / 1_000)
            : -1;
    }
}
