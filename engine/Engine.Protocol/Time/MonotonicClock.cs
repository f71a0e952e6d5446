using System.Diagnostics;

namespace Engine.Protocol.Time;

/// <summary>
/// Microseconds from a monotonic clock: the time callers hand to the sans-IO state machines, which
/// never read a clock themselves (tests drive them with made-up times).
/// </summary>
public static class MonotonicClock
{
    private static readonly double s_microsecondsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    public static long NowUs => (long)(Stopwatch.GetTimestamp() * s_microsecondsPerTick);
}
