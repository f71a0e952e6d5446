namespace Engine.Server.Overload;

/// <summary>
/// How overloaded one shard is, from two signals: the CPU time of its ticks against the tick
/// budget, and how busy its loop is (time not spent waiting for packets, and receive batches that
/// come back full because datagrams are queueing in the kernel). The level rises at once and falls
/// one step at a time after a calm period, so the shard does not flap at the edge. Owned by the
/// shard thread; time comes in.
/// </summary>
internal sealed class OverloadMonitor
{
    /// <summary>How long the signals must stay below a level before the shard steps down from it.</summary>
    public const long CalmUs = 1_000_000;

    private const long WindowUs = 100_000;

    // The tick CPU the level is judged on follows the costly ticks (snapshot ticks, a crowded
    // moment) at once and lets go of them slowly: close to a high percentile of recent ticks, which
    // is what the budget is about, rather than a mean that the cheap ticks pull down.
    private const double RiseWeight = 1.0 / 2;
    private const double FallWeight = 1.0 / 64;

    /// <summary>Over budget from this share of the budget on, so that the costly ticks stay within it.</summary>
    public const double OverBudgetShare = 0.75;

    /// <summary>Far over from this share of the budget on.</summary>
    public const double FarOverShare = 1.25;

    private readonly long _budgetUs;
    private double _tickCpuUs;
    private long _windowStartUs = -1;
    private long _waitedUs;
    private int _receives;
    private int _fullReceives;
    private int _loopLevel;
    private long _calmSinceUs = -1;

    public OverloadMonitor(long tickBudgetUs) => _budgetUs = Math.Max(1, tickBudgetUs);

    public long BudgetUs => _budgetUs;

    /// <summary>0 normal; 1 over budget (the costly ticks near the budget, or the loop busy or queueing); 2 far over (the costly ticks past the budget).</summary>
    public OverloadLevel Level { get; private set; }

    /// <summary>The tick CPU time the level is judged on (near the top of recent ticks), in microseconds.</summary>
    public double RecentTickCpuUs => _tickCpuUs;

    /// <summary>One tick's CPU time.</summary>
    public void ObserveTick(long cpuUs, long nowUs)
    {
        _tickCpuUs += (cpuUs - _tickCpuUs) * (cpuUs > _tickCpuUs ? RiseWeight : FallWeight);
        Update(nowUs);
    }

    /// <summary>
    /// One pass of the shard's loop: whether its receive came back full (more is queued in the
    /// kernel) and how long it then waited for packets.
    /// </summary>
    public void ObserveLoop(bool receiveFull, long waitedUs, long nowUs)
    {
        if (_windowStartUs < 0)
        {
            _windowStartUs = nowUs;
        }
        _receives++;
        _fullReceives += receiveFull ? 1 : 0;
        _waitedUs += waitedUs;
        if (nowUs - _windowStartUs >= WindowUs)
        {
            var elapsed = nowUs - _windowStartUs;
            var busy = 1.0 - ((double)_waitedUs / elapsed);
            var full = (double)_fullReceives / _receives;
            // The loop alone says "over budget", never "far over": on a box it shares, a shard that is
            // kept off its core looks busy too, and only its own tick's cost says how far over it is.
            _loopLevel = busy >= 0.97 || full >= 0.1 ? 1 : 0;
            _windowStartUs = nowUs;
            _waitedUs = 0;
            _receives = 0;
            _fullReceives = 0;
            Update(nowUs);
        }
    }

    private void Update(long nowUs)
    {
        var tickLevel = _tickCpuUs >= FarOverShare * _budgetUs ? 2 : _tickCpuUs >= OverBudgetShare * _budgetUs ? 1 : 0;
        var target = (OverloadLevel)Math.Max(tickLevel, _loopLevel);
        if (target >= Level)
        {
            Level = target;
            _calmSinceUs = -1;
            return;
        }
        // Below the current level: step down once it has stayed below for the calm period.
        if (_calmSinceUs < 0)
        {
            _calmSinceUs = nowUs;
        }
        else if (nowUs - _calmSinceUs >= CalmUs)
        {
            Level--;
            _calmSinceUs = Level > target ? nowUs : -1;
        }
    }
}
