using Engine.LoadTest.Attack;
using Engine.LoadTest.Distributed;
using Engine.LoadTest.Fleet;
using Engine.LoadTest.Metrics;

namespace Engine.LoadTest;

/// <summary>Everything one run measured, handed to the report writer.</summary>
internal sealed class RunResult
{
    public required LoadTestOptions Options { get; init; }
    public required MachineInfo Machine { get; init; }
    public required string LoadAverageAtStart { get; init; }
    public required DateTime StartedUtc { get; init; }
    public required string ServerEndPoint { get; init; }
    public required bool ServerStarted { get; init; }
    public required IReadOnlyList<string> ServerArguments { get; init; }
    public string? ServerListening { get; init; }
    public int? ServerPid { get; init; }
    public int? ServerExitCode { get; set; }
    public double? ServerStopSeconds { get; set; }
    public string ServerOutputTail { get; set; } = "";
    public required string ClientSockets { get; init; }

    /// <summary>The players' sockets over the whole run: the options' own unless a distributed run sets its agents' together.</summary>
    public SocketLayout SocketLayout { get => _socketLayout ?? SocketLayout.Of(Options); init => _socketLayout = value; }
    private readonly SocketLayout? _socketLayout;

    public required List<SecondSample> Seconds { get; init; }
    public required List<ServerSample> Server { get; init; }

    public int WindowStartSecond { get; set; }
    public int WindowEndSecond { get; set; }
    public double WindowSeconds { get; set; }
    public bool ReachedTarget { get; set; }
    public double SecondsToTarget { get; set; }
    public bool Interrupted { get; set; }

    public Percentiles Ack { get; set; }
    public Percentiles Rtt { get; set; }
    public Percentiles Jitter { get; set; }
    public Percentiles Interarrival { get; set; }
    public Percentiles Chat { get; set; }
    public Percentiles SlotLag { get; set; }
    public Percentiles Handshake { get; set; }
    public Percentiles Join { get; set; }

    public SwarmCounters Window { get; set; }
    public SwarmCounters RunTotal { get; set; }
    public long WindowBytesUp { get; set; }
    public long WindowBytesDown { get; set; }
    public long WindowDatagramsUp { get; set; }
    public long WindowDatagramsDown { get; set; }
    public long ClientKernelDrops { get; set; }
    public long ClientSendDrops { get; set; }
    public long WindowCorrections { get; set; }
    public long WindowMispredictions { get; set; }
    public long MaxCorrectionMm { get; set; }
    public int InRoomsAtWindowEnd { get; set; }
    public int MinInRoomsInWindow { get; set; }
    public int ConnectedAtWindowEnd { get; set; }
    public int SpectatingAtWindowEnd { get; set; }

    /// <summary>Every measured window in order; the figures above are the last one's.</summary>
    public List<WindowResult> Windows { get; } = [];

    /// <summary>Seconds where each stage (warm-up, clean, attack, soak ...) began, for the charts.</summary>
    public List<(string Name, int StartSecond)> Stages { get; } = [];

    public string? AdminUrl { get; init; }

    /// <summary>Hostile: the attack's sources, the legit rate the factor multiplied and the rate asked of each kind.</summary>
    public string? AttackSources { get; set; }
    public double AttackBaseRate { get; set; }
    public double[] AttackRates { get; } = new double[AttackKinds.Count];

    /// <summary>A coordinator's run: its agents, their shares and what became of each; null for a single swarm.</summary>
    public DistributedRun? Distributed { get; init; }

    /// <summary>A fleet run: the backend every ticket came from; null against one server.</summary>
    public Uri? Backend { get; init; }

    /// <summary>A fleet run: the matchmaking calls (whole run); the per-node series are in <see cref="Server"/>'s samples.</summary>
    public MatchmakingTotals? Matchmaking { get; set; }

    /// <summary>Soak: the leak check after every player left.</summary>
    public LeakCheck? Leak { get; set; }

    public int Players => Options.Players;
    public int Spectators => Options.EffectiveSpectators;
}
