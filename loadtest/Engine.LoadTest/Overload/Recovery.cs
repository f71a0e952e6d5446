namespace Engine.LoadTest.Overload;

/// <summary>
/// Whether and when the server recovered after the ramp down. The rule: the first second after the
/// ramp down from which every per-second figure (snapshots per player, input → ack p99, tick p99 on
/// CPU) is within the tolerance of its median over the knee phase, on its worse side (more snapshots
/// or less latency than at the knee is not held against it), and stays there to the end of the run.
/// A second without a value (no input acknowledged, no stats line) is not within. A figure the knee
/// phase has no value for is left out (and shown as not measured).
/// </summary>
internal sealed record Recovery(IReadOnlyList<RecoveryFigure> Figures, int RampDownEndSecond, int? SettledFromSecond)
{
    /// <summary>The tolerance: every figure back within 10% of its knee value.</summary>
    public const double TolerancePct = 10;

    /// <summary>Seconds from the end of the ramp down until every figure was back for good: 0 when the first second after it already was; null when it never was.</summary>
    public int? Seconds => SettledFromSecond is int s ? s - 1 - RampDownEndSecond : null;

    /// <summary>
    /// <paramref name="knee"/>: the knee phase's seconds; <paramref name="after"/>: the seconds after the ramp down
    /// (second k covers (k − 1, k]), in order; <paramref name="rampDownEndSecond"/>: where the ramp down ended.
    /// </summary>
    public static Recovery Compute(IReadOnlyList<HealthSecond> knee, IReadOnlyList<HealthSecond> after, int rampDownEndSecond, double tolerancePct = TolerancePct)
    {
        var figures = new List<RecoveryFigure>
        {
            Figure("snapshots per player per second", "/s", higherIsBetter: true, knee, after, h => h.SnapshotsPerPlayer, tolerancePct),
            Figure("input → ack p99", "ms", higherIsBetter: false, knee, after, h => h.AckP99Ms, tolerancePct),
            Figure("tick p99 on CPU", "µs", higherIsBetter: false, knee, after, h => h.TickCpuP99Us, tolerancePct),
        };
        var measured = figures.Where(f => f.Measured).ToList();
        int? settled = measured.Count == 0 || measured.Any(f => f.SettledFromSecond is null) ? null : measured.Max(f => f.SettledFromSecond!.Value);
        return new Recovery(figures, rampDownEndSecond, settled);
    }

    private static RecoveryFigure Figure(string name, string unit, bool higherIsBetter, IReadOnlyList<HealthSecond> knee, IReadOnlyList<HealthSecond> after,
        Func<HealthSecond, double> value, double tolerancePct)
    {
        var median = Median(knee.Select(value));
        var bound = higherIsBetter ? median * (1 - (tolerancePct / 100)) : median * (1 + (tolerancePct / 100));
        var figure = new RecoveryFigure(name, unit, higherIsBetter, value, median, bound, null);
        if (!figure.Measured)
        {
            return figure;
        }
        // The start of the longest run of seconds within the bound that reaches the end.
        int? from = null;
        for (var i = after.Count - 1; i >= 0 && figure.Within(value(after[i])); i--)
        {
            from = after[i].Second;
        }
        return figure with { SettledFromSecond = from };
    }

    /// <summary>The median of the values that are numbers (the mean of the middle two for an even count); NaN when none are.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var list = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToList();
        if (list.Count == 0)
        {
            return double.NaN;
        }
        var mid = list.Count / 2;
        return list.Count % 2 == 1 ? list[mid] : (list[mid - 1] + list[mid]) / 2;
    }
}
