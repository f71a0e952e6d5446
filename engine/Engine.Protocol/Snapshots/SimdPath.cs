namespace Engine.Protocol.Snapshots;

/// <summary>
/// Which width the delta encoder's compare-and-subtract kernel runs at. Every path writes the
/// same bytes; <see cref="Auto"/> takes the widest the hardware accelerates. Forcing a width the
/// hardware lacks still works (the runtime emulates it) but is slow; tests and benchmarks use it.
/// </summary>
public enum SimdPath
{
    Auto = 0,
    Scalar,
    Vector128,
    Vector256,
    Vector512,
}
