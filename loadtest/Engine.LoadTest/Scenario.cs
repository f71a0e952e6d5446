namespace Engine.LoadTest;

/// <summary>
/// A load-test scenario: its name (command line, report, folder name) and the facts of the run it
/// shapes. Each scenario is declared once here; the options, the runner, the server start-up and
/// the report ask these facts rather than the name.
/// </summary>
internal sealed class Scenario
{
    /// <summary>The hostile scenario's windows: the same players without and then under attack.</summary>
    public const string CleanWindow = "clean";
    public const string AttackWindow = "attack";

    /// <summary>The soak scenario's one measured window.</summary>
    public const string SoakWindow = "soak";

    /// <summary>The overload scenario's phases: the knee load, the ramp past it, the hold at the peak, the ramp back, the knee load again.</summary>
    public const string KneeWindow = "knee";
    public const string RampUpWindow = "ramp-up";
    public const string PeakWindow = "peak";
    public const string RampDownWindow = "ramp-down";
    public const string RecoveredWindow = "recovered";

    /// <summary>The default run: the seed's load (10,000 players at its rates) held for a window.</summary>
    /// The window opens after a short warm-up: the connect burst (thousands of handshakes and joins in a
    /// couple of seconds) leaves queues behind it for a second or two, which is not the steady load.
    public static readonly Scenario Steady = new("steady", "measuring") { DefaultProfile = RateProfile.Seed, DefaultWarmupSeconds = 3 };

    /// <summary>Players join at the join rate; the window holds the reached load.</summary>
    public static readonly Scenario Ramp = new("ramp", "holding") { Ramps = true };

    public static readonly Scenario Churn = new("churn", "churning") { Churns = true };

    public static readonly Scenario Chat = new("chat", "measuring") { Chats = true };

    /// <summary>One match (the room size, unless --players) and watchers of its room.</summary>
    public static readonly Scenario Spectators = new("spectators", "measuring") { Spectates = true };

    /// <summary>A clean window, then the same window under attack; a few legit leaves a second in both.</summary>
    public static readonly Scenario Hostile = new("hostile", CleanWindow, AttackWindow)
    {
        Churns = true,
        Attacks = true,
        DefaultPlayers = 500,
        DefaultDurationSeconds = 30,
        DefaultWarmupSeconds = 5,
    };

    /// <summary>Churn for a long window, then every player leaves and the server must close everything.</summary>
    public static readonly Scenario Soak = new("soak", SoakWindow)
    {
        Churns = true,
        ChecksLeaks = true,
        DefaultPlayers = 1000,
        DefaultDurationSeconds = 600,
        DefaultWarmupSeconds = 30,
    };

    /// <summary>
    /// The knee load (--knee), a ramp past it to --players, a hold there (--duration), a ramp back with
    /// players leaving cleanly, and the knee load again: how the server degraded and whether it recovered.
    /// </summary>
    public static readonly Scenario Overload = new("overload", KneeWindow, RampUpWindow, PeakWindow, RampDownWindow, RecoveredWindow)
    {
        Overloads = true,
        DefaultDurationSeconds = 60,
        DefaultWarmupSeconds = 5,
    };

    /// <summary>
    /// A stepped load (as NBomber's ramping simulations and k6's ramping-arrival-rate): +--step players
    /// every --duration seconds up to --players, stopping at the first step that misses a target.
    /// </summary>
    public static readonly Scenario Capacity = new("capacity")
    {
        Steps = true,
        DefaultDurationSeconds = 20,
        DefaultWarmupSeconds = 5, // the first step is judged like the others: not on a cold swarm and server
    };

    /// <summary>In the order --help lists them; the first is the default.</summary>
    public static IReadOnlyList<Scenario> All { get; } = [Steady, Ramp, Churn, Chat, Spectators, Hostile, Soak, Overload, Capacity];

    private Scenario(string name, params string[] windows)
    {
        Name = name;
        Windows = windows;
    }

    public string Name { get; }

    /// <summary>The measured windows in order, each --duration long (overload: its phase plan decides); the report's figures are the last one's.</summary>
    public IReadOnlyList<string> Windows { get; }

    /// <summary>Connects at --join-rate (the load shape) instead of --connect-rate.</summary>
    public bool Ramps { get; private init; }

    /// <summary>Players churn (join, leave, move, reconnect) once everyone is in, so not every player is in a room all the time.</summary>
    public bool Churns { get; private init; }

    public bool Chats { get; private init; }

    public bool Spectates { get; private init; }

    /// <summary>Attack traffic from addresses of its own in the attack window; the server keeps its per-address limits on.</summary>
    public bool Attacks { get; private init; }

    /// <summary>Short server-side windows, and after the last player left, the wait for the server to close every session and room.</summary>
    public bool ChecksLeaks { get; private init; }

    /// <summary>Players follow a load shape around the knee (<see cref="Engine.LoadTest.Overload.OverloadPlan"/>): joins and clean leaves during the run.</summary>
    public bool Overloads { get; private init; }

    /// <summary>Players come in steps (<see cref="Engine.LoadTest.Capacity.CapacityPlan"/>), each held and judged; the run stops at the first that misses a target.</summary>
    public bool Steps { get; private init; }

    /// <summary>Players when --players is not given; null: the options' default (spectators: one room; overload: twice the knee).</summary>
    public int? DefaultPlayers { get; private init; }

    public int? DefaultDurationSeconds { get; private init; }

    /// <summary>The rates when --profile is not given: the figures documented for each scenario were made at these.</summary>
    public RateProfile DefaultProfile { get; private init; } = RateProfile.Competitive;

    /// <summary>Seconds of play after everyone is in, before anything is measured; null: the scenario has no warm-up.</summary>
    public int? DefaultWarmupSeconds { get; private init; }

    public bool WarmsUp => DefaultWarmupSeconds is not null;

    /// <summary>The scenario of that name, or null.</summary>
    public static Scenario? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    public override string ToString() => Name;
}
