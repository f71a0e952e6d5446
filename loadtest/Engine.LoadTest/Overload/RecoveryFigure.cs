namespace Engine.LoadTest.Overload;

/// <summary>
/// One figure of the recovery check: its median over the knee phase, the bound within the tolerance
/// on its worse side, and the first second from which it stayed within that bound to the end (null:
/// it never settled; also null with a NaN median when the knee phase had no value for it).
/// <see cref="Of"/> reads the figure from a second.
/// </summary>
internal sealed record RecoveryFigure(string Name, string Unit, bool HigherIsBetter, Func<HealthSecond, double> Of, double KneeMedian, double Bound, int? SettledFromSecond)
{
    public bool Measured => !double.IsNaN(KneeMedian);

    public bool Within(double value) => !double.IsNaN(value) && (HigherIsBetter ? value >= Bound : value <= Bound);
}
