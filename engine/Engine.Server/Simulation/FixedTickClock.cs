namespace Engine.Server.Simulation;

/// <summary>
/// Turns wall-clock time into fixed simulation ticks. Tick n is due at start + n/TickRate seconds,
/// computed from the start each time (no accumulated rounding: 60 Hz is not a whole number of
/// microseconds). After a stall it runs at most <see cref="MaxCatchUpTicks"/> at once and lets the
/// rest go, so a slow moment does not turn into a spiral of ever longer catch-ups. Ticks are
/// numbered from 1; snapshot ticks are spread evenly at <see cref="SnapshotRate"/>.
/// </summary>
internal sealed class FixedTickClock
{
    public const int DefaultTickRate = 60;
    public const int DefaultSnapshotRate = 20;
    public const int DefaultMaxCatchUpTicks = 8;

    private const long MicrosecondsPerSecond = 1_000_000;

    private readonly long _startUs;
    private long _skipped;

    public FixedTickClock(long startUs, int tickRate = DefaultTickRate, int snapshotRate = DefaultSnapshotRate, int maxCatchUpTicks = DefaultMaxCatchUpTicks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tickRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tickRate, 1000);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapshotRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(snapshotRate, tickRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCatchUpTicks);
        _startUs = startUs;
        TickRate = tickRate;
        SnapshotRate = snapshotRate;
        MaxCatchUpTicks = maxCatchUpTicks;
    }

    public int TickRate { get; }
    public int SnapshotRate { get; }
    public int MaxCatchUpTicks { get; }

    /// <summary>The last tick handed out by <see cref="Advance"/>; 0 before the first.</summary>
    public long Tick { get; private set; }

    /// <summary>Ticks given up after stalls.</summary>
    public long SkippedTicks => _skipped;

    /// <summary>When the next tick is due, for sleeping until then.</summary>
    public long NextTickDueUs => _startUs + DivideRoundingUp((Tick + 1 + _skipped) * MicrosecondsPerSecond, TickRate);

    /// <summary>
    /// How many ticks to run at <paramref name="nowUs"/>: run ticks <paramref name="firstTick"/>,
    /// firstTick + 1, ... (the returned count of them) now. 0 when none is due yet.
    /// </summary>
    public int Advance(long nowUs, out long firstTick)
    {
        firstTick = Tick + 1;
        var elapsed = nowUs - _startUs;
        if (elapsed <= 0)
        {
            return 0;
        }
        var due = elapsed * TickRate / MicrosecondsPerSecond - _skipped - Tick;
        if (due <= 0)
        {
            return 0;
        }
        if (due > MaxCatchUpTicks)
        {
            _skipped += due - MaxCatchUpTicks;
            due = MaxCatchUpTicks;
        }
        Tick += due;
        return (int)due;
    }

    /// <summary>True when a snapshot is to be sent after <paramref name="tick"/>: SnapshotRate of every TickRate ticks, evenly spread.</summary>
    public bool IsSnapshotTick(long tick) =>
        tick > 0 && tick * SnapshotRate / TickRate != (tick - 1) * SnapshotRate / TickRate;

    private static long DivideRoundingUp(long value, long divisor) => (value + divisor - 1) / divisor;
}
