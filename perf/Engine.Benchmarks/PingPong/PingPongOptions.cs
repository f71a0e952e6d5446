using System.Globalization;

namespace Engine.Benchmarks.PingPong;

internal sealed class PingPongOptions
{
    public string? EnginePath { get; private set; }
    public int Clients { get; private set; } = 1000;
    public int Seconds { get; private set; } = 10;
    public int WarmupSeconds { get; private set; } = 3;
    public int Payload { get; private set; } = 32;
    /// <summary>
    /// Engine shards. One by default: the clients' thread takes a core of the box, as it would take
    /// one from the C echo's and LiteNetLib's single thread; a second shard would share that core with
    /// it and pay a sleep and a wake-up per small batch (docs/PERF.md gives both figures).
    /// </summary>
    public int Shards { get; private set; } = 1;
    public string? JsonPath { get; private set; }
    public bool RunEngine { get; private set; } = true;
    public bool RunLiteNetLib { get; private set; } = true;
    public bool RunC { get; private set; } = true;

    /// <summary>Run the engine without tokens and sealing (its LAN mode); sealed by default.</summary>
    public bool Insecure { get; private set; }

    /// <summary>
    /// The client layouts to run, each over every server, the realistic one first: by default one
    /// address per client, then <see cref="ClientLayout.SharedSockets"/> shared ones; <c>--client-sockets N</c> runs one.
    /// </summary>
    public IReadOnlyList<ClientLayout> Layouts { get; private set; } = [];

    /// <summary>How the LiteNetLib server is hosted: threaded, threaded-managed or manual (see LiteNetLibEchoServer).</summary>
    public string LiteNetLibServerMode { get; private set; } = "manual";

    public static PingPongOptions Parse(string[] args)
    {
        var o = new PingPongOptions();
        int? clientSockets = null;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value()
            {
                if (i + 1 >= args.Length)
                    throw new UsageException($"{name} needs a value");
                return args[++i];
            }
            int IntValue(int min, int max)
            {
                string v = Value();
                if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
                    throw new UsageException($"{name} must be an integer in [{min}, {max}], got '{v}'");
                return n;
            }
            switch (name)
            {
                case "--engine": o.EnginePath = Value(); break;
                case "--clients": o.Clients = IntValue(1, 20_000); break;
                case "--seconds": o.Seconds = IntValue(1, 3600); break;
                case "--warmup": o.WarmupSeconds = IntValue(0, 600); break;
                // 16 bytes carry the client index, sequence and send time.
                case "--payload": o.Payload = IntValue(RoundTripPayload.MinSize, 1100); break;
                case "--shards": o.Shards = IntValue(1, 256); break;
                case "--json": o.JsonPath = Value(); break;
                case "--client-sockets": clientSockets = IntValue(1, 20_000); break;
                case "--insecure": o.Insecure = true; break;
                case "--litenetlib-server-mode":
                    o.LiteNetLibServerMode = Value();
                    if (o.LiteNetLibServerMode is not ("threaded" or "threaded-managed" or "manual"))
                        throw new UsageException("--litenetlib-server-mode must be threaded, threaded-managed or manual");
                    break;
                case "--only":
                    string only = Value();
                    o.RunEngine = only == "engine";
                    o.RunLiteNetLib = only == "litenetlib";
                    o.RunC = only == "c";
                    if (!o.RunEngine && !o.RunLiteNetLib && !o.RunC)
                        throw new UsageException($"--only must be engine, litenetlib or c, got '{only}'");
                    break;
                default:
                    throw new UsageException($"unknown option '{name}'");
            }
        }
        o.Layouts = clientSockets is int sockets
            ? [ClientLayout.ForSockets(sockets, o.Clients)]
            : o.Clients > ClientLayout.SharedSockets
                ? [ClientLayout.PerClient(o.Clients), ClientLayout.Shared(ClientLayout.SharedSockets)]
                : [ClientLayout.PerClient(o.Clients)];
        if (o.RunEngine && o.EnginePath is null)
        {
            if (args.Contains("--only"))
                throw new UsageException("--only engine needs --engine PATH (./build.sh pingpong passes it)");
            o.RunEngine = false;
        }
        if (o.EnginePath is not null && o.RunEngine && !File.Exists(o.EnginePath))
            throw new UsageException($"engine binary not found: {o.EnginePath}");
        return o;
    }
}
