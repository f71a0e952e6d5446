using System.Globalization;

namespace Engine.LoadTest;

/// <summary>The command line: a scenario name, then <c>--name value</c> pairs. Every option has a default.</summary>
internal sealed class LoadTestOptions
{
    public static readonly string[] Scenarios = ["steady", "ramp", "churn", "chat", "spectators"];

    public string Scenario { get; private set; } = "steady";
    public int Players { get; private set; } = 10_000;
    public int RoomSize { get; private set; } = 50;
    public int InputRate { get; private set; } = 30;
    public int TickRate { get; private set; } = 60;
    public int SnapshotRate { get; private set; } = 20;
    public int DurationSeconds { get; private set; } = 60;

    /// <summary>Handshakes started per second while connecting (steady, chat, churn, spectators).</summary>
    public int ConnectRate { get; private set; } = 2_000;

    /// <summary>Players joining per second (ramp): the load shape itself.</summary>
    public int JoinRate { get; private set; } = 250;

    /// <summary>Churn, per second across the swarm: leave the room and quick-match again.</summary>
    public double MoveRate { get; private set; } = 20;

    /// <summary>Churn: disconnect and come back as a new session.</summary>
    public double LeaveRate { get; private set; } = 10;

    /// <summary>Churn: go silent until the server times the session out, then reconnect and resume the kept slot.</summary>
    public double ReconnectRate { get; private set; } = 2;

    /// <summary>Chat: lines per second per player (the server allows 1/s with a burst of 5).</summary>
    public double ChatRate { get; private set; } = 0.2;

    /// <summary>Spectators scenario: watchers of the first room.</summary>
    public int Spectators { get; private set; } = 200;

    public int Sockets { get; private set; } = 16;
    public int ConnectTimeoutSeconds { get; private set; } = 90;
    public string EnginePath { get; private set; } = "artifacts/bin/engine";
    public string? Server { get; private set; }
    public int? ServerPid { get; private set; }
    public int? Shards { get; private set; }
    public int? EngineTimeoutMs { get; private set; }
    public string ReportsDirectory { get; private set; } = "reports";
    public string? Baseline { get; private set; }
    public bool Quiet { get; private set; }
    public bool Help { get; private set; }

    public static string Usage => """
        usage: loadtest [scenario] [options]
          scenarios: steady (default), ramp, churn, chat, spectators

          --players N              simulated players (10000)
          --room-size N            players per room; quick match asks for this capacity (50)
          --input-rate HZ          input messages per second per player (30); each carries the inputs of
                                   the simulation ticks since the previous one plus two again
          --tick-rate HZ           server simulation tick, passed to the engine it starts (60)
          --snapshot-rate HZ       server snapshot rate, passed to the engine it starts (20)
          --duration S             seconds measured once every player is in a room (60)
          --connect-rate N         handshakes started per second while connecting (2000)
          --join-rate N            ramp: players joining per second (250)
          --move-rate R            churn: moves to another room per second (20)
          --leave-rate R           churn: disconnect + new session per second (10)
          --reconnect-rate R       churn: silent drop, timeout, reconnect + resume per second (2)
          --chat-rate R            chat: lines per second per player (0.2)
          --spectators N           spectators: watchers of the first room (200)
          --sockets N              client batch sockets, each on its own 127.0.0.x source address (16)
          --connect-timeout S      give up waiting for players to reach their rooms (90)
          --engine PATH            AOT server to start (artifacts/bin/engine)
          --shards N               engine shards (the engine's default: one per core)
          --engine-timeout-ms MS   engine session timeout (the engine's default, 5000)
          --server HOST:PORT       attach to a running server instead of starting one
          --server-pid PID         its process, for CPU/RSS sampling and SIGUSR1 stats
          --reports DIR            where reports/<timestamp>-<scenario>/ go (reports)
          --baseline FILE          an earlier summary.json: the report shows the change per figure
          --quiet                  no progress line
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
                if (scenarioGiven || !Scenarios.Contains(arg))
                {
                    throw new UsageException(scenarioGiven ? $"a second scenario '{arg}'" : $"unknown scenario '{arg}' (one of: {string.Join(", ", Scenarios)})");
                }
                o.Scenario = arg;
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
                case "--players": o.Players = Int(arg, Value(), 1, 1_000_000); break;
                case "--room-size": o.RoomSize = Int(arg, Value(), 1, 255); break;
                case "--input-rate": o.InputRate = Int(arg, Value(), 1, 1000); break;
                case "--tick-rate": o.TickRate = Int(arg, Value(), 1, 1000); break;
                case "--snapshot-rate": o.SnapshotRate = Int(arg, Value(), 1, 1000); break;
                case "--duration": o.DurationSeconds = Int(arg, Value(), 1, 86_400); break;
                case "--connect-rate": o.ConnectRate = Int(arg, Value(), 1, 1_000_000); break;
                case "--join-rate": o.JoinRate = Int(arg, Value(), 1, 1_000_000); break;
                case "--move-rate": o.MoveRate = Double(arg, Value()); break;
                case "--leave-rate": o.LeaveRate = Double(arg, Value()); break;
                case "--reconnect-rate": o.ReconnectRate = Double(arg, Value()); break;
                case "--chat-rate": o.ChatRate = Double(arg, Value()); break;
                case "--spectators": o.Spectators = Int(arg, Value(), 0, 100_000); break;
                case "--sockets": o.Sockets = Int(arg, Value(), 1, 250); break;
                case "--connect-timeout": o.ConnectTimeoutSeconds = Int(arg, Value(), 1, 3600); break;
                case "--engine": o.EnginePath = Value(); break;
                case "--shards": o.Shards = Int(arg, Value(), 1, 1024); break;
                case "--engine-timeout-ms": o.EngineTimeoutMs = Int(arg, Value(), 100, 600_000); break;
                case "--server": o.Server = Value(); break;
                case "--server-pid": o.ServerPid = Int(arg, Value(), 1, int.MaxValue); break;
                case "--reports": o.ReportsDirectory = Value(); break;
                case "--baseline": o.Baseline = Value(); break;
                case "--quiet": o.Quiet = true; break;
                default: throw new UsageException($"unknown option {arg}");
            }
        }
        if (o.Scenario == "spectators" && !args.Contains("--players") && !args.Any(a => a.StartsWith("--players=", StringComparison.Ordinal)))
        {
            o.Players = o.RoomSize; // one match
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

    /// <summary>Only the chat scenario chats.</summary>
    public double EffectiveChatRate => Scenario == "chat" ? ChatRate : 0;

    public int TotalClients => Players + (Scenario == "spectators" ? Spectators : 0);

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
        yield return ("scenario", Scenario);
        yield return ("players", Players.ToString(CultureInfo.InvariantCulture));
        yield return ("room size", RoomSize.ToString(CultureInfo.InvariantCulture));
        yield return ("input rate (Hz)", InputRate.ToString(CultureInfo.InvariantCulture));
        yield return ("tick rate (Hz)", TickRate.ToString(CultureInfo.InvariantCulture));
        yield return ("snapshot rate (Hz)", SnapshotRate.ToString(CultureInfo.InvariantCulture));
        yield return ("measured duration (s)", DurationSeconds.ToString(CultureInfo.InvariantCulture));
        yield return (Scenario == "ramp" ? "join rate (/s)" : "connect rate (/s)", (Scenario == "ramp" ? JoinRate : ConnectRate).ToString(CultureInfo.InvariantCulture));
        if (Scenario == "churn")
        {
            yield return ("moves (/s)", MoveRate.ToString(CultureInfo.InvariantCulture));
            yield return ("leaves + new sessions (/s)", LeaveRate.ToString(CultureInfo.InvariantCulture));
            yield return ("drop + resume (/s)", ReconnectRate.ToString(CultureInfo.InvariantCulture));
        }
        if (Scenario == "chat")
        {
            yield return ("chat lines per player (/s)", ChatRate.ToString(CultureInfo.InvariantCulture));
        }
        if (Scenario == "spectators")
        {
            yield return ("spectators", Spectators.ToString(CultureInfo.InvariantCulture));
        }
        yield return ("client sockets (source addresses)", Sockets.ToString(CultureInfo.InvariantCulture));
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
