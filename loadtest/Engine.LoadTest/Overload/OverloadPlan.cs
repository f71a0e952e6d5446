namespace Engine.LoadTest.Overload;

/// <summary>
/// The overload scenario's load shape, as a pure function of its options: the knee load held (the
/// healthy baseline), a ramp up to the peak at the join rate, a hold at the peak, a ramp down at
/// the leave rate until the knee remains, and the knee load held again (where recovery is judged).
/// </summary>
internal static class OverloadPlan
{
    public static IReadOnlyList<OverloadPhase> Phases(LoadTestOptions o) =>
        Phases(o.Knee, o.Players, o.JoinRate, o.LeaveRate, o.KneeHoldSeconds, o.DurationSeconds);

    public static IReadOnlyList<OverloadPhase> Phases(int knee, int peak, double joinRate, double leaveRate, int kneeHoldSeconds, int peakHoldSeconds) =>
    [
        new(Scenario.KneeWindow, kneeHoldSeconds, knee, 0),
        new(Scenario.RampUpWindow, RampSeconds(peak - knee, joinRate), peak, joinRate),
        new(Scenario.PeakWindow, peakHoldSeconds, peak, 0),
        new(Scenario.RampDownWindow, RampSeconds(peak - knee, leaveRate), knee, leaveRate),
        new(Scenario.RecoveredWindow, kneeHoldSeconds, knee, 0),
    ];

    /// <summary>Whole seconds for <paramref name="players"/> to join or leave at <paramref name="perSecond"/>: the last one goes before the phase ends.</summary>
    public static int RampSeconds(int players, double perSecond) => Math.Max(1, (int)Math.Ceiling(players / perSecond));
}
