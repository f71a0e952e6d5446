using System.Globalization;

namespace Engine.LoadTest.Distributed;

/// <summary>
/// The options of `loadtest coordinator` and `loadtest agent` themselves; the coordinator hands every
/// other argument to <see cref="LoadTestOptions"/> (the scenario and its options, as a single run takes them).
/// </summary>
internal sealed class DistributedOptions
{
    public string NatsUrl { get; private set; } = "";

    /// <summary>Coordinator: agents to wait for before the run starts.</summary>
    public int Agents { get; private set; }

    /// <summary>Silence after which an agent (or, for an agent, the coordinator) counts as lost.</summary>
    public int HeartbeatTimeoutSeconds { get; private set; } = 3;

    /// <summary>Coordinator: the longest wait for the agents to announce themselves.</summary>
    public int AgentWaitSeconds { get; private set; } = 120;

    /// <summary>Agent: its name in subjects and the report (host-pid by default).</summary>
    public string Name { get; private set; } = Subjects.Token($"{Environment.MachineName}-{Environment.ProcessId}");

    /// <summary>Coordinator: the arguments that are the run's own (scenario, players, rates ...).</summary>
    public List<string> RunArguments { get; } = [];

    public static DistributedOptions Parse(string[] args, bool coordinator)
    {
        var o = new DistributedOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value() => inline ?? (i + 1 < args.Length ? args[++i] : throw new UsageException($"{arg} needs a value"));
            switch (arg)
            {
                case "--nats": o.NatsUrl = Value(); break;
                case "--agents" when coordinator: o.Agents = Int(arg, Value(), 1, 1000); break;
                case "--agent-wait" when coordinator: o.AgentWaitSeconds = Int(arg, Value(), 1, 86_400); break;
                case "--heartbeat-timeout": o.HeartbeatTimeoutSeconds = Int(arg, Value(), 1, 3600); break;
                case "--name" when !coordinator: o.Name = Subjects.Token(Value()); break;
                default:
                    if (!coordinator)
                    {
                        throw new UsageException($"agent: unknown option {arg} (an agent takes --nats, --name and --heartbeat-timeout; the run's options come from the coordinator)");
                    }
                    o.RunArguments.Add(args[i]);
                    break;
            }
        }
        if (o.NatsUrl.Length == 0)
        {
            throw new UsageException($"{(coordinator ? "coordinator" : "agent")}: --nats URL is required (e.g. nats://127.0.0.1:4222)");
        }
        if (!Uri.TryCreate(o.NatsUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls" or "ws" or "wss"))
        {
            throw new UsageException($"--nats wants a URL such as nats://127.0.0.1:4222, got '{o.NatsUrl}'");
        }
        if (coordinator && o.Agents == 0)
        {
            throw new UsageException("coordinator: --agents N is required (how many agents share the players)");
        }
        return o;
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new UsageException($"{name} wants an integer in [{min}, {max}], got '{value}'");
}
