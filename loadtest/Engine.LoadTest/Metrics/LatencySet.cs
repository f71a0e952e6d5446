using HdrHistogram;

namespace Engine.LoadTest.Metrics;

/// <summary>
/// One measured quantity in microseconds: an HdrHistogram over the measured window and one over the
/// current second (reset each second for the time series). Recording does not allocate.
/// </summary>
internal sealed class LatencySet
{
    // 60 s in microseconds at 3 significant digits: anything slower is clamped and still counted.
    private const long Highest = 60_000_000;

    public LatencySet(string name)
    {
        Name = name;
    }

    public string Name { get; }
    public LongHistogram Window { get; } = new(Highest, 3);
    public LongHistogram Interval { get; private set; } = new(Highest, 3);

    /// <summary>The second <see cref="CloseInterval"/> closed last, kept until the next close (a distributed agent sends it).</summary>
    public LongHistogram LastInterval { get; private set; } = new(Highest, 3);
    public LongHistogram Run { get; } = new(Highest, 3);

    public void Record(long us)
    {
        var v = Math.Clamp(us, 0, Highest);
        Window.RecordValue(v);
        Interval.RecordValue(v);
        Run.RecordValue(v);
    }

    public Percentiles CloseInterval()
    {
        var p = Percentiles.Of(Interval);
        (Interval, LastInterval) = (LastInterval, Interval);
        Interval.Reset();
        return p;
    }
}

/// <summary>p50, p90, p99, p99.9 and max of a histogram, in microseconds; count 0 when nothing was recorded.</summary>
internal readonly record struct Percentiles(long Count, double P50, double P90, double P99, double P999, double Max, double Mean)
{
    public static Percentiles Of(HistogramBase h)
    {
        if (h.TotalCount == 0)
        {
            return default;
        }
        return new Percentiles(h.TotalCount, h.GetValueAtPercentile(50), h.GetValueAtPercentile(90), h.GetValueAtPercentile(99),
            h.GetValueAtPercentile(99.9), h.GetMaxValue(), h.GetMean());
    }
}
