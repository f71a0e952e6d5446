using System.Globalization;
using Engine.LoadTest.Attack;

namespace Engine.LoadTest;

/// <summary>The command line: a scenario name, then <c>--name value</c> pairs. Every option has a default.</summary>
internal sealed class LoadTestOptions
{
    public Scenario Scenario { get; private set; } = Scenario.All[0];
    public int Players { get; private set; } = 10_000;
    public int RoomSize { get; private set; } = 50;
    /// <summary>The rates the players and the server run at, unless a rate is given on its own.</summary>
    public RateProfile Profile { get; private set; } = RateProfile.Seed;
    public int InputRate { get; private set; } = RateProfile.Seed.InputRate;
    public int TickRate { get; private set; } = RateProfile.Seed.TickRate;
    public int SnapshotRate { get; private set; } = RateProfile.Seed.SnapshotRate;

    /// <summary>The profile's name as the report gives it: "seed", or "seed, modified (input 20 Hz)".</summary>
    public string ProfileLabel => Profile.Label(TickRate, InputRate, SnapshotRate);
    public int DurationSeconds { get; private set; } = 60;

    /// <summary>Handshakes started per second while connecting (steady, chat, churn, spectators).</summary>
    public int ConnectRate { get; private set; } = 2_000;

    /// <summary>Players joining per second (ramp; overload's ramp up): the load shape itself.</summary>
    public int JoinRate { get; private set; } = 250;

    /// <summary>Capacity: players added per step (the first step connects this many).</summary>
    public int StepPlayers { get; private set; } = 500;

    /// <summary>Overload: the players the server holds healthily (the baseline, and where the ramp down ends).</summary>
    public int Knee { get; private set; } = 3000;

    /// <summary>Overload: seconds the knee load is held before the ramp up and again after the ramp down.</summary>
    public int KneeHoldSeconds { get; private set; } = 20;

    /// <summary>The engine's tick CPU budget, passed to the engine it starts; overload judges the peak against it. Null: the engine's default, 1e6 / tick rate / 4 µs.</summary>
    public int? TickBudgetUs { get; private set; }

    /// <summary>
    /// The kernel's cost of a round trip at the server: the C recvmmsg echo's server CPU per round
    /// trip with one address per client (`./build.sh pingpong`), 4.5 µs on the 2-core box these
    /// reports are usually made on. Half of it per datagram is the floor no server code can avoid.
    /// </summary>
    public double FloorUsPerRoundTrip { get; private set; } = 4.5;

    /// <summary>Churn, per second across the swarm: leave the room and quick-match again.</summary>
    public double MoveRate { get; private set; } = 20;

    /// <summary>Churn: disconnect and come back as a new session. Overload: players leaving for good per second in the ramp down.</summary>
    public double LeaveRate { get; private set; } = 10;

    /// <summary>Churn: go silent until the server times the session out, then reconnect and resume the kept slot.</summary>
    public double ReconnectRate { get; private set; } = 2;

    /// <summary>Chat: lines per second per player (the server allows 1/s with a burst of 5).</summary>
    public double ChatRate { get; private set; } = 0.2;

    /// <summary>Spectators scenario: watchers of the first room.</summary>
    public int Spectators { get; private set; } = 200;

    /// <summary>Hostile: the attack's packet rate as a multiple of the legit players' measured rate.</summary>
    public double AttackFactor { get; private set; } = 10;

    /// <summary>Hostile: each kind of attack traffic's share of the attack's packets.</summary>
    public AttackMix AttackMix { get; private set; } = AttackMix.Default;

    /// <summary>Hostile: source addresses (one socket each) the attack traffic comes from.</summary>
    public int AttackAddresses { get; private set; } = 256;

    /// <summary>Hostile and soak: seconds of play after everyone is in, before anything is measured.</summary>
    public int WarmupSeconds { get; private set; }

    /// <summary>Passed to the engine it starts; soak sets short ones so the leak check's wait is short.</summary>
    public int? ReconnectWindowMs { get; private set; }
    public int? EmptyRoomGraceMs { get; private set; }

    /// <summary>Soak: the longest wait, after every player left, for the server to close every session and room.</summary>
    public int LeakWaitSeconds { get; private set; } = 60;

    /// <summary>
    /// Loopback source addresses the players' sockets spread over, 127.0.0.(2 + offset) on. By default every
    /// player has a socket (a source port) of its own, as real players do, on one of these addresses.
    /// </summary>
    public int Addresses { get; private set; } = 16;

    /// <summary>
    /// 0: one socket per player (the default). N: the old shared layout, N sockets (one per address) that all
    /// players share, which lets the server coalesce replies to many players into one send; real players never allow that.
    /// </summary>
    public int SharedSockets { get; private set; }

    public bool SocketPerPlayer => SharedSockets == 0;

    /// <summary>The source addresses the swarm's sockets use: its players' addresses, and a distributed agent's share of them.</summary>
    public int AddressCount => SocketPerPlayer ? Addresses : SharedSockets;

    /// <summary>The swarm's sockets: one per player and spectator, or the shared ones.</summary>
    public int SocketCount => SocketPerPlayer ? TotalClients : SharedSockets;

    /// <summary>How the players' datagrams reach the server, as the report and the console say it.</summary>
    public string Layout => SocketLayout.Of(this).Description;

    /// <summary>The first simulated player's id in its connect token; a distributed agent gets its share's range.</summary>
    public long FirstPlayerId { get; private set; } = 1;

    /// <summary>The sockets bind 127.0.0.(2 + offset) on: agents on one box use addresses of their own.</summary>
    public int SourceAddressOffset { get; private set; }
    public int ConnectTimeoutSeconds { get; private set; } = 90;
    public string EnginePath { get; private set; } = "artifacts/bin/engine";
    public string? Server { get; private set; }

    /// <summary>The attached server's admin endpoint (HOST:PORT), for its /metrics.</summary>
    public string? ServerAdmin { get; private set; }
    public int? ServerPid { get; private set; }
    public int? Shards { get; private set; }
    public int? EngineTimeoutMs { get; private set; }
    public string ReportsDirectory { get; private set; } = "reports";
    public string? Baseline { get; private set; }
    public bool Quiet { get; private set; }
    public bool Help { get; private set; }

    /// <summary>Plaintext: the engine without tokens and sealing (--insecure); secure by default.</summary>
    public bool Insecure { get; private set; }

    /// <summary>The token key of a running server the swarm attaches to (--server).</summary>
    public byte[]? TokenKey { get; private set; }

    /// <summary>A fleet's `engine backend` (http://HOST:PORT): every player's ticket comes from its POST /v1/matchmake.</summary>
    public Uri? Backend { get; private set; }

    /// <summary>The backend's bearer key, read from --backend-key-file.</summary>
    public string? BackendKey { get; private set; }

    /// <summary>Scenarios a fleet run can play: the others need one server of their own (its /metrics, its knee, its address for an attack).</summary>
    public static IReadOnlyList<Scenario> FleetScenarios { get; } = [Scenario.Steady, Scenario.Ramp, Scenario.Churn, Scenario.Chat];

    // Options that start or describe one server: meaningless against a fleet, whose nodes run as they were started.
    private static readonly string[] s_serverOptions =
    [
        "--server", "--server-pid", "--server-admin", "--token-key", "--insecure", "--engine", "--shards", "--engine-timeout-ms",
        "--tick-rate", "--snapshot-rate", "--tick-budget-us", "--reconnect-window-ms", "--empty-room-grace-ms",
    ];

    public static string Usage => $"""
        usage: loadtest [scenario] [options]
               loadtest coordinator --nats URL --agents N [--agent-wait S] [--heartbeat-timeout S] [scenario] [options]
               loadtest agent --nats URL [--name NAME] [--heartbeat-timeout S]
          distributed (docs/LOADTEST.md, "Distributed"): agents announce themselves on NATS; the coordinator
          starts the engine, waits for N agents (--agent-wait, 120 s), gives each a share (players, ids,
          source addresses, rates, a common start), merges their per-second counts and HdrHistograms into
          one report and names an agent silent for --heartbeat-timeout (3 s) as lost (exit code 3);
          scenarios steady, ramp, churn, chat
          scenarios: {Scenario.All[0]} (default), {string.Join(", ", Scenario.All.Skip(1))}

          --players N              simulated players (10000; hostile 500, soak 1000; overload: the peak, 2 x knee)
          --room-size N            players per room; quick match asks for this capacity (50)
          --profile NAME           the rates: {string.Join("; ", RateProfile.All)}.
                                   Default: {Scenario.All[0]} runs {RateProfile.Seed.Name}; the other scenarios {RateProfile.Competitive.Name}
          --input-rate HZ          input messages per second per player (the profile's); each carries the
                                   inputs of the simulation ticks since the previous one plus two again
          --tick-rate HZ           server simulation tick, passed to the engine it starts (the profile's)
          --snapshot-rate HZ       server snapshot rate, passed to the engine it starts (the profile's)
          --duration S             seconds measured once every player is in a room (60); hostile: each of
                                   the clean and the attack window (30); soak: churn time after the warm-up (600);
                                   overload: the hold at the peak (60)
          --connect-rate N         handshakes started per second while connecting (2000)
          --join-rate N            ramp: players joining per second (250); overload: in the ramp up (125)
          --move-rate R            churn: moves to another room per second (20)
          --leave-rate R           churn: disconnect + new session per second (10); overload: players leaving
                                   for good per second in the ramp down (125)
          --reconnect-rate R       churn: silent drop, timeout, reconnect + resume per second (2)
          --chat-rate R            chat: lines per second per player (0.2)
          --spectators N           spectators: watchers of the first room (200)
          --warmup S               steady, hostile, soak, overload, capacity: seconds of play before measuring
                                   (steady 3, hostile 5, soak 30, overload 5, capacity 5)
          --step N                 capacity: players added per step, each held for --duration (500; the
                                   steps go up to --players and stop at the first that misses a target)
          --knee N                 overload: players the server holds healthily; the run starts and ends there (3000)
          --knee-hold S            overload: seconds the knee load is held, before the ramp up and after the ramp down (20)
          --tick-budget-us US      the engine's tick CPU budget, passed to the engine it starts; overload judges the
                                   peak against it (the engine's default: 1e6 / tick rate / 4)
          --floor-us-per-round-trip US  the C echo's server CPU per round trip with one address per client on
                                   this machine (./build.sh pingpong); half of it per datagram is the kernel floor the
                                   report sets the server's CPU per player against (4.5)
          --attack-factor X        hostile: attack packets per second as a multiple of the legit rate (10)
          --attack-mix LIST        hostile: shares per kind, e.g. garbage=20,oversized=10,replay=15,replay-same=5,
                                   spoofed-hello=20,forged-session=15,bad-cookie=15 (those; a kind left out sends nothing)
          --attack-addresses N     hostile: attack source addresses, 127.1.x.y, one socket each (256)
          --reconnect-window-ms MS engine's kept-slot window (soak: 5000; else the engine's default)
          --empty-room-grace-ms MS engine's empty-room grace (soak: 2000; else the engine's default)
          --leak-wait S            soak: longest wait for the server to close everything after all left (60)
          --addresses N            source addresses 127.0.0.x the players' sockets spread over (16); each
                                   player (and spectator) has a socket, a source port, of its own
          --shared-sockets N       the old shared layout instead: N sockets, one per address, that all players
                                   share, so the server can join replies to many players into one send (a layout
                                   real players never have; for comparison only)
          --first-player-id N      the first player's id in its connect token (1); ids run on from it
          --source-address-offset N  the sockets bind 127.0.0.(2 + N) on (0): swarms sharing a box keep apart
          --connect-timeout S      give up waiting for players to reach their rooms (90)
          --engine PATH            AOT server to start (artifacts/bin/engine)
          --shards N               engine shards (the engine's default: one per core)
          --engine-timeout-ms MS   engine session timeout (the engine's default, 5000; soak 2000)
          --server HOST:PORT       attach to a running server instead of starting one
          --server-pid PID         its process, for CPU/RSS sampling and SIGUSR1 stats
          --server-admin HOST:PORT its admin endpoint, for /metrics (drops by reason, sessions, rooms)
          --reports DIR            where reports/<timestamp>-<scenario>/ go (reports)
          --baseline FILE          an earlier summary.json: the report shows the change per figure
          --quiet                  no progress line
          --insecure               no connect tokens, no sealed packets (the engine's LAN mode); by
                                   default the swarm starts the engine with a fresh key and issues
                                   each player a token
          --token-key HEX          with --server: the running server's token key (64 hex digits)
          --backend URL            a fleet instead of one server: every player asks this `engine backend`
                                   (http://HOST:PORT) for a ticket (POST /v1/matchmake) before each handshake and
                                   plays on the node it names; the report shows players and CPU per node
                                   (GET /v1/nodes). Scenarios {string.Join(", ", FleetScenarios)}; not with
                                   the options that start or attach to one server
          --backend-key-file FILE  the backend's bearer key (its --api-key-file), with --backend
        """;

    public static LoadTestOptions Parse(string[] args)
    {
        var o = new LoadTestOptions();
        var i = 0;
        var scenarioGiven = false;
        for (; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                // The scenario name, wherever it stands (build.sh puts --engine first).
                if (scenarioGiven || Scenario.Find(arg) is not { } scenario)
                {
                    throw new UsageException(scenarioGiven ? $"a second scenario '{arg}'" : $"unknown scenario '{arg}' (one of: {string.Join(", ", Scenario.All)})");
                }
                o.Scenario = scenario;
                scenarioGiven = true;
                continue;
            }
            string? inline = null;
            var eq = arg.IndexOf('=');
            if (eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }
                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"{arg} needs a value");
                }
                return args[++i];
            }
            switch (arg)
            {
                case "--help" or "-h": o.Help = true; break;
                case "--profile":
                    var profileName = Value();
                    o.Profile = RateProfile.Find(profileName) ?? throw new UsageException($"unknown profile '{profileName}' (one of: {string.Join(", ", RateProfile.All.Select(p => p.Name))})");
                    break;
                case "--players": o.Players = Int(arg, Value(), 1, 1_000_000); break;
                case "--room-size": o.RoomSize = Int(arg, Value(), 1, 255); break;
                case "--input-rate": o.InputRate = Int(arg, Value(), 1, 1000); break;
                case "--tick-rate": o.TickRate = Int(arg, Value(), 1, 1000); break;
                case "--snapshot-rate": o.SnapshotRate = Int(arg, Value(), 1, 1000); break;
                case "--duration": o.DurationSeconds = Int(arg, Value(), 1, 86_400); break;
                case "--connect-rate": o.ConnectRate = Int(arg, Value(), 1, 1_000_000); break;
                case "--join-rate": o.JoinRate = Int(arg, Value(), 1, 1_000_000); break;
                case "--step": o.StepPlayers = Int(arg, Value(), 1, 1_000_000); break;
                case "--knee": o.Knee = Int(arg, Value(), 1, 1_000_000); break;
                case "--knee-hold": o.KneeHoldSeconds = Int(arg, Value(), 1, 86_400); break;
                case "--tick-budget-us": o.TickBudgetUs = Int(arg, Value(), 1, 10_000_000); break;
                case "--floor-us-per-round-trip": o.FloorUsPerRoundTrip = Double(arg, Value()); break;
                case "--move-rate": o.MoveRate = Double(arg, Value()); break;
                case "--leave-rate": o.LeaveRate = Double(arg, Value()); break;
                case "--reconnect-rate": o.ReconnectRate = Double(arg, Value()); break;
                case "--chat-rate": o.ChatRate = Double(arg, Value()); break;
                case "--spectators": o.Spectators = Int(arg, Value(), 0, 100_000); break;
                case "--warmup": o.WarmupSeconds = Int(arg, Value(), 0, 86_400); break;
                case "--attack-factor": o.AttackFactor = Double(arg, Value()); break;
                case "--attack-mix": o.AttackMix = AttackMix.Parse(Value()); break;
                case "--attack-addresses": o.AttackAddresses = Int(arg, Value(), 1, 4096); break;
                case "--reconnect-window-ms": o.ReconnectWindowMs = Int(arg, Value(), 0, 3_600_000); break;
                case "--empty-room-grace-ms": o.EmptyRoomGraceMs = Int(arg, Value(), 0, 3_600_000); break;
                case "--leak-wait": o.LeakWaitSeconds = Int(arg, Value(), 1, 3600); break;
                case "--server-admin": o.ServerAdmin = Value(); break;
                case "--addresses": o.Addresses = Int(arg, Value(), 1, 250); break;
                case "--shared-sockets": o.SharedSockets = Int(arg, Value(), 1, 250); break;
                case "--first-player-id": o.FirstPlayerId = Int(arg, Value(), 1, int.MaxValue); break;
                case "--source-address-offset": o.SourceAddressOffset = Int(arg, Value(), 0, 65_000); break;
                case "--connect-timeout": o.ConnectTimeoutSeconds = Int(arg, Value(), 1, 3600); break;
                case "--engine": o.EnginePath = Value(); break;
                case "--shards": o.Shards = Int(arg, Value(), 1, 1024); break;
                case "--engine-timeout-ms": o.EngineTimeoutMs = Int(arg, Value(), 100, 600_000); break;
                case "--server": o.Server = Value(); break;
                case "--server-pid": o.ServerPid = Int(arg, Value(), 1, int.MaxValue); break;
                case "--reports": o.ReportsDirectory = Value(); break;
                case "--baseline": o.Baseline = Value(); break;
                case "--quiet": o.Quiet = true; break;
                case "--insecure": o.Insecure = true; break;
                case "--backend":
                    var url = Value();
                    o.Backend = Uri.TryCreate(url, UriKind.Absolute, out var backend) && backend.Scheme == Uri.UriSchemeHttp && backend.AbsolutePath == "/"
                        ? backend
                        : throw new UsageException($"--backend wants http://HOST:PORT (the backend's --http), got '{url}'");
                    break;
                case "--backend-key-file":
                    var keyFile = Value();
                    o.BackendKey = File.Exists(keyFile) ? File.ReadAllText(keyFile).Trim() : throw new UsageException($"--backend-key-file: no such file {keyFile}");
                    if (o.BackendKey.Length == 0)
                    {
                        throw new UsageException($"--backend-key-file: {keyFile} is empty");
                    }
                    break;
                case "--token-key":
                    var hex = Value();
                    o.TokenKey = hex.Length == 64 && hex.All(char.IsAsciiHexDigit)
                        ? Convert.FromHexString(hex)
                        : throw new UsageException("--token-key wants 64 hex digits (the server's 32-byte key)");
                    break;
                default: throw new UsageException($"unknown option {arg}");
            }
        }
        bool Given(string name) => args.Any(a => a == name || a.StartsWith(name + "=", StringComparison.Ordinal));
        var s = o.Scenario;
        // A fleet's nodes run as they were started: the options that start or attach to one server make no sense with it.
        if (o.Backend is not null)
        {
            if (!FleetScenarios.Contains(s))
            {
                throw new UsageException($"--backend: the {s} scenario needs one server of its own (a fleet runs {string.Join(", ", FleetScenarios)})");
            }
            if (s_serverOptions.FirstOrDefault(Given) is { } server)
            {
                throw new UsageException($"--backend and {server}: against a fleet the nodes run as they were started; {server} starts or attaches to one server");
            }
            if (o.BackendKey is null)
            {
                throw new UsageException("--backend needs --backend-key-file FILE (the backend's bearer key)");
            }
            if (!o.SocketPerPlayer)
            {
                throw new UsageException("--backend and --shared-sockets: a fleet run gives every player a socket of its own, connected to its ticket's node");
            }
        }
        else if (o.BackendKey is not null)
        {
            throw new UsageException("--backend-key-file without --backend");
        }
        o.Profile = Given("--profile") ? o.Profile : s.DefaultProfile;
        o.TickRate = Given("--tick-rate") ? o.TickRate : o.Profile.TickRate;
        o.InputRate = Given("--input-rate") ? o.InputRate : o.Profile.InputRate;
        o.SnapshotRate = Given("--snapshot-rate") ? o.SnapshotRate : o.Profile.SnapshotRate;
        if (!Given("--players"))
        {
            o.Players = s.Spectates ? o.RoomSize : s.Overloads ? 2 * o.Knee : s.DefaultPlayers ?? o.Players; // spectators: one match
        }
        o.DurationSeconds = Given("--duration") ? o.DurationSeconds : s.DefaultDurationSeconds ?? o.DurationSeconds;
        o.WarmupSeconds = Given("--warmup") ? o.WarmupSeconds : s.DefaultWarmupSeconds ?? o.WarmupSeconds;
        if (s.Attacks)
        {
            // A few legit reconnects a second, so handshakes are measured under attack too.
            o.LeaveRate = Given("--leave-rate") ? o.LeaveRate : Math.Max(1, o.Players / 100.0);
            o.MoveRate = Given("--move-rate") ? o.MoveRate : 0;
            o.ReconnectRate = Given("--reconnect-rate") ? o.ReconnectRate : 0;
        }
        if (s.Steps && o.StepPlayers > o.Players)
        {
            throw new UsageException($"capacity: --step ({o.StepPlayers}) is above --players ({o.Players}), the ceiling");
        }
        if (s.Overloads)
        {
            // Ramps of about 24 s between the default knee (3000) and peak (6000).
            o.JoinRate = Given("--join-rate") ? o.JoinRate : 125;
            o.LeaveRate = Given("--leave-rate") ? o.LeaveRate : 125;
            if (o.Players <= o.Knee)
            {
                throw new UsageException($"overload: --players (the peak, {o.Players}) must be above --knee ({o.Knee})");
            }
            if (o.LeaveRate <= 0)
            {
                throw new UsageException("overload: --leave-rate must be above 0 (the ramp down)");
            }
        }
        if (s.ChecksLeaks)
        {
            // Short server-side windows, so that after the last player left everything is closed within seconds.
            o.EngineTimeoutMs ??= 2000;
            o.ReconnectWindowMs ??= 5000;
            o.EmptyRoomGraceMs ??= 2000;
        }
        if (o.ServerAdmin is not null && !TryParseServer(o.ServerAdmin, out _, out _))
        {
            throw new UsageException($"--server-admin wants HOST:PORT, got '{o.ServerAdmin}'");
        }
        if (o.Server is not null && !o.Insecure && o.TokenKey is null)
        {
            throw new UsageException("--server: give the running server's --token-key HEX, or --insecure if it runs insecure");
        }
        if (o.Insecure && o.TokenKey is not null)
        {
            throw new UsageException("--insecure and --token-key: give one or the other");
        }
        if (o.Server is not null && !TryParseServer(o.Server, out _, out _))
        {
            throw new UsageException($"--server wants HOST:PORT, got '{o.Server}'");
        }
        if (o.Baseline is not null && !File.Exists(o.Baseline))
        {
            throw new UsageException($"--baseline: no such file {o.Baseline}");
        }
        return o;
    }

    /// <summary>Scenarios whose players churn (join, leave, move, reconnect) once everyone is in.</summary>
    public bool Churns => Scenario.Churns;

    /// <summary>Only the chat scenario chats.</summary>
    public double EffectiveChatRate => Scenario.Chats ? ChatRate : 0;

    /// <summary>Spectators of the spectators scenario; none in the others.</summary>
    public int EffectiveSpectators => Scenario.Spectates ? Spectators : 0;

    /// <summary>Connections started per second while connecting: the ramp's join rate is its load shape.</summary>
    public int EffectiveConnectRate => Scenario.Ramps ? JoinRate : ConnectRate;

    public int TotalClients => Players + EffectiveSpectators;

    /// <summary>Players connected before anything is measured: the knee in the overload scenario, else all.</summary>
    public int InitialPlayers => Scenario.Overloads ? Knee : Scenario.Steps ? Math.Min(StepPlayers, Players) : Players;

    /// <summary>The tick's CPU budget in µs as the engine computes its default; --tick-budget-us overrides it.</summary>
    public double EffectiveTickBudgetUs => TickBudgetUs ?? 1e6 / TickRate / 4;

    public static bool TryParseServer(string text, out string host, out int port)
    {
        var colon = text.LastIndexOf(':');
        host = colon > 0 ? text[..colon].Trim('[', ']') : "";
        port = 0;
        return colon > 0 && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and < 65536;
    }

    /// <summary>The parameters as the report lists them.</summary>
    public IEnumerable<(string Name, string Value)> Describe()
    {
        yield return ("scenario", Scenario.Name);
        yield return (Scenario.Overloads ? "players at the peak" : Scenario.Steps ? "players at most (the last step)" : "players", Players.ToString(CultureInfo.InvariantCulture));
        yield return ("room size", RoomSize.ToString(CultureInfo.InvariantCulture));
        yield return ("rate profile", ProfileLabel);
        yield return ("input rate (Hz)", InputRate.ToString(CultureInfo.InvariantCulture));
        yield return ("tick rate (Hz)", TickRate.ToString(CultureInfo.InvariantCulture));
        yield return ("snapshot rate (Hz)", SnapshotRate.ToString(CultureInfo.InvariantCulture));
        yield return (Scenario.Overloads ? "hold at the peak (s)" : Scenario.Steps ? "hold per step (s)" : "measured duration (s)", DurationSeconds.ToString(CultureInfo.InvariantCulture));
        yield return (Scenario.Ramps ? "join rate (/s)" : "connect rate (/s)", EffectiveConnectRate.ToString(CultureInfo.InvariantCulture));
        if (Scenario.WarmsUp)
        {
            yield return ("warm-up (s)", WarmupSeconds.ToString(CultureInfo.InvariantCulture));
        }
        if (Scenario.Attacks)
        {
            yield return ("legit leaves + new sessions (/s, both windows)", LeaveRate.ToString(CultureInfo.InvariantCulture));
            yield return ("attack factor (× the clean window's legit packets/s)", AttackFactor.ToString(CultureInfo.InvariantCulture));
            yield return ("attack mix (share of attack packets)", AttackMix.ToString());
            yield return ("attack source addresses", AttackAddresses.ToString(CultureInfo.InvariantCulture));
        }
        else if (Scenario.Churns) // the hostile scenario's churn is its legit leaves, listed above
        {
            yield return ("moves (/s)", MoveRate.ToString(CultureInfo.InvariantCulture));
            yield return ("leaves + new sessions (/s)", LeaveRate.ToString(CultureInfo.InvariantCulture));
            yield return ("drop + resume (/s)", ReconnectRate.ToString(CultureInfo.InvariantCulture));
        }
        if (Scenario.Steps)
        {
            yield return ("step (players)", StepPlayers.ToString(CultureInfo.InvariantCulture));
            yield return ("join rate between steps (/s)", JoinRate.ToString(CultureInfo.InvariantCulture));
        }
        if (Scenario.Overloads)
        {
            yield return ("knee (players)", Knee.ToString(CultureInfo.InvariantCulture));
            yield return ("knee hold, before and after (s)", KneeHoldSeconds.ToString(CultureInfo.InvariantCulture));
            yield return ("ramp up: joins (/s)", JoinRate.ToString(CultureInfo.InvariantCulture));
            yield return ("ramp down: leaves (/s)", LeaveRate.ToString(CultureInfo.InvariantCulture));
            yield return ("tick CPU budget (µs)", EffectiveTickBudgetUs.ToString("0", CultureInfo.InvariantCulture) + (TickBudgetUs is null ? " (the engine's default)" : ""));
        }
        if (Scenario.ChecksLeaks)
        {
            yield return ("engine session timeout (ms)", EngineTimeoutMs?.ToString(CultureInfo.InvariantCulture) ?? "");
            yield return ("engine reconnect window (ms)", ReconnectWindowMs?.ToString(CultureInfo.InvariantCulture) ?? "");
            yield return ("engine empty-room grace (ms)", EmptyRoomGraceMs?.ToString(CultureInfo.InvariantCulture) ?? "");
            yield return ("leak check: longest wait (s)", LeakWaitSeconds.ToString(CultureInfo.InvariantCulture));
        }
        if (Scenario.Chats)
        {
            yield return ("chat lines per player (/s)", ChatRate.ToString(CultureInfo.InvariantCulture));
        }
        if (Scenario.Spectates)
        {
            yield return ("spectators", Spectators.ToString(CultureInfo.InvariantCulture));
        }
        yield return ("client sockets", Layout);
        if (Backend is not null)
        {
            yield return ("backend (tickets, nodes)", Backend.ToString());
        }
    }

    private static int Int(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new UsageException($"{name} wants an integer in [{min}, {max}], got '{value}'");
        }
        return v;
    }

    private static double Double(string name, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0 || double.IsInfinity(v))
        {
            throw new UsageException($"{name} wants a number >= 0, got '{value}'");
        }
        return v;
    }
}

internal sealed class UsageException(string message) : Exception(message);
