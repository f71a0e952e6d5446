namespace Engine.Client.Conditions;

/// <summary>
/// A bad network to test a game's netcode on, applied by <see cref="EngineClient.SimulatedConditions"/>
/// to every datagram the client sends and receives (each direction on its own). Rates are
/// probabilities per datagram; each copy is delayed by <see cref="Latency"/> plus a uniform amount up
/// to <see cref="Jitter"/>, and a reordered copy by <see cref="ReorderDelay"/> more, so later ones
/// overtake it. The decisions come from a generator seeded with <see cref="Seed"/>: the same seed and
/// the same traffic make the same decisions. For development only; off unless set.
/// </summary>
public sealed record NetworkConditions
{
    private readonly TimeSpan _latency;
    private readonly TimeSpan _jitter;
    private readonly TimeSpan _reorderDelay = TimeSpan.FromMilliseconds(30);
    private readonly double _loss;
    private readonly double _duplication;
    private readonly double _reordering;

    /// <summary>One-way delay added in each direction (the round trip grows by twice this).</summary>
    public TimeSpan Latency { get => _latency; init => _latency = NotNegative(value); }

    /// <summary>Extra delay, uniform in [0, Jitter], per copy.</summary>
    public TimeSpan Jitter { get => _jitter; init => _jitter = NotNegative(value); }

    public double Loss { get => _loss; init => _loss = Rate(value); }
    public double Duplication { get => _duplication; init => _duplication = Rate(value); }
    public double Reordering { get => _reordering; init => _reordering = Rate(value); }
    public TimeSpan ReorderDelay { get => _reorderDelay; init => _reorderDelay = NotNegative(value); }
    public int Seed { get; init; } = 1;

    /// <summary>A good home connection far from the server: 40 ms each way, 10 ms jitter, 1% loss.</summary>
    public static NetworkConditions Broadband { get; } = new()
    {
        Latency = TimeSpan.FromMilliseconds(40),
        Jitter = TimeSpan.FromMilliseconds(10),
        Loss = 0.01,
    };

    /// <summary>A poor mobile connection: 80 ms each way, 40 ms jitter, 5% loss, 1% duplicates, 5% reordered.</summary>
    public static NetworkConditions Mobile { get; } = new()
    {
        Latency = TimeSpan.FromMilliseconds(80),
        Jitter = TimeSpan.FromMilliseconds(40),
        Loss = 0.05,
        Duplication = 0.01,
        Reordering = 0.05,
    };

    private static TimeSpan NotNegative(TimeSpan value) =>
        value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Delays cannot be negative.");

    private static double Rate(double value) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Rates are probabilities from 0 to 1.");
}
