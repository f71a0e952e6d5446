using Engine.Host.Admin;
using Engine.Host.Agones;
using Engine.Host.Lifecycle;
using Engine.Host.Fleet;
using Engine.Server;

namespace Engine.Host.Configuration;

/// <summary>Every option the host accepts: its command-line name, what it means and its default. --help prints this table.</summary>
internal static class OptionTable
{
    public sealed record Option(string Name, string Description, Func<ServerOptions, object>? Default, bool IsFlag = false, bool IsHostOnly = false)
    {
        /// <summary>The configuration key: the name without dashes, matched case-insensitively to a property.</summary>
        public string Key => Name.Replace("-", "", StringComparison.Ordinal);

        public string EnvironmentVariable => "ENGINE_" + Name.Replace('-', '_').ToUpperInvariant();
    }

    public static readonly IReadOnlyList<Option> All =
    [
        new("bind", "address to listen on (:: = IPv6 and IPv4)", o => o.Bind),
        new("port", "UDP port", o => o.Port),
        new("shards", "shard threads, 0 = one per core", o => o.Shards),
        new("config", "JSON file with any of these options", null, IsHostOnly: true),
        new("pin-threads", "pin each shard thread to a core", o => o.PinThreads),
        new("receive-buffer-bytes", "SO_RCVBUF per shard socket", o => o.ReceiveBufferBytes),
        new("send-buffer-bytes", "SO_SNDBUF per shard socket", o => o.SendBufferBytes),
        new("batch-size", "datagrams per recvmmsg/sendmmsg", o => o.BatchSize),
        new("max-payload", "largest UDP payload sent or accepted, bytes", o => o.MaxPayload),
        new("timeout-ms", "silence that ends a session", o => o.TimeoutMs),
        new("ping-interval-ms", "ping and keep-alive interval", o => o.PingIntervalMs),
        new("max-sessions", "sessions the server accepts in all", o => o.MaxSessions),
        new("max-sessions-per-address", "sessions one IP address may hold", o => o.MaxSessionsPerAddress),
        new("max-rooms", "rooms open at once", o => o.MaxRooms),
        new("packets-per-second-per-address", "datagrams/s one IP may send a shard, 0 = unlimited", o => o.PacketsPerSecondPerAddress),
        new("handshakes-per-second-per-address", "hellos/s one IP may send a shard, 0 = unlimited", o => o.HandshakesPerSecondPerAddress),
        new("packets-per-second-per-session", "datagrams/s one session may send, 0 = unlimited", o => o.PacketsPerSecondPerSession),
        new("reliable-per-second-per-session", "reliable messages/s one session may send, 0 = unlimited", o => o.ReliablePerSecondPerSession),
        new("shard-packets-per-second", "datagrams/s a shard takes before shedding, 0 = unlimited", o => o.ShardPacketsPerSecond),
        new("max-players-per-room", "largest room capacity a client may ask for", o => o.MaxPlayersPerRoom),
        new("default-room-capacity", "capacity of rooms quick match opens", o => o.DefaultRoomCapacity),
        new("max-spectators-per-room", "spectators per room", o => o.MaxSpectatorsPerRoom),
        new("reconnect-window-ms", "how long a dropped player's slot is kept", o => o.ReconnectWindowMs),
        new("empty-room-grace-ms", "how long an empty room stays open", o => o.EmptyRoomGraceMs),
        new("chat-burst", "chat messages a player may send at once", o => o.ChatBurst),
        new("chat-per-second", "chat messages a player may send per second after the burst", o => o.ChatPerSecond),
        new("tick-rate", "simulation ticks per second in every room", o => o.TickRate),
        new("snapshot-rate", "snapshots per second to each player (divides tick-rate)", o => o.SnapshotRate),
        new("snapshot-history-ms", "how old a client's acknowledged snapshot may be and still be its delta baseline (older: a full state); memory per room", o => o.SnapshotHistoryMs),
        new("tick-budget-us", "CPU time a shard's tick may take before the shard degrades, 0 = a quarter of the tick period", o => o.TickBudgetUs),
        new("timer-interval-ms", "how often shards run timeouts and keep-alives", o => o.TimerIntervalMs),
        new("shutdown-timeout-ms", "how long shutdown waits for disconnects to go out", o => o.ShutdownTimeoutMs),
        new("echo", "send application messages back to their sender", o => o.Echo, IsFlag: true),
        new("stats-interval-seconds", "seconds between stats lines, 0 = off", o => o.StatsIntervalSeconds),
        new("token-key", "the 32-byte connect-token key shared with the game's backend, 64 hex digits", null, IsHostOnly: true),
        new("token-key-file", "file holding the token key (64 hex digits)", null, IsHostOnly: true),
        new("insecure", "no tokens, no encryption: plaintext protocol for LAN benchmarks", o => o.Insecure, IsFlag: true),
        new("public-address", "address:port clients connect to, which tokens must list (default: the listen endpoint)", null),
        new("protocol-id", "the game's protocol id; tokens for another are refused", o => o.ProtocolId),
        new("log-level", "trace, debug, information, warning, error", _ => "information", IsHostOnly: true),
        new("log-format", "console or json", _ => "console", IsHostOnly: true),
        new("admin-port", "TCP port of the admin HTTP endpoint (/metrics, /healthz, /readyz), 0 = off", _ => AdminOptions.DefaultPort, IsHostOnly: true),
        new("admin-bind", "address the admin endpoint listens on", _ => AdminOptions.DefaultBind, IsHostOnly: true),
        new("drain-timeout-seconds", "on SIGTERM or POST /admin/drain, how long rooms may play on before players are told and the node stops, 0 = at once", _ => DrainOptions.DefaultTimeoutSeconds, IsHostOnly: true),
        new("agones", "report to Agones through its SDK sidecar: Ready, Health, labels, Allocated while rooms are open, Shutdown", _ => false, IsFlag: true, IsHostOnly: true),
        new("agones-sdk-address", "the Agones SDK's REST gateway; localhost on $AGONES_SDK_HTTP_PORT when that is set and this is not", _ => AgonesOptions.DefaultSdkAddress, IsHostOnly: true),
        new("directory", "the fleet's directory, redis://HOST:PORT[/DB]: register this node and its rooms there (docs/FLEET.md)", null, IsHostOnly: true),
        new("node-id", "this node's id in the directory (default: host name and a random suffix)", null, IsHostOnly: true),
        new("node-labels", "placement labels, key=value,... (example: region=eu-west)", null, IsHostOnly: true),
        new("game-mode", "the game mode this node's rooms play, as matchmaking asks for it", _ => FleetOptions.DefaultGameMode, IsHostOnly: true),
        new("directory-ttl-ms", "how long the node's record outlives its last renewal (renewed every third of it, at most 1 s apart)", _ => FleetOptions.DefaultTtlMs, IsHostOnly: true),
    ];

    public static Option? Find(string name) => All.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase));

    public static string Help()
    {
        var defaults = new ServerOptions();
        var lines = new List<string>
        {
            "engine: authoritative UDP game server",
            "",
            "usage: engine [options]",
            "",
            "Every option can also be set as an environment variable (ENGINE_PORT, ENGINE_MAX_SESSIONS, ...)",
            "or in the JSON file given by --config (keys as in the table, e.g. {\"port\": 7777, \"max-payload\": 1200}).",
            "Command line beats environment beats file.",
            "A token key (--token-key, --token-key-file or ENGINE_TOKEN_KEY) or --insecure is required.",
            "engine token --help: issue a connect token.",
            "engine backend --help: the fleet's HTTP service (matchmaking across nodes, docs/FLEET.md).",
            "",
            "options:",
        };
        foreach (var option in All)
        {
            var value = option.Default?.Invoke(defaults) switch
            {
                null => "",
                bool b => b ? "true" : "false",
                var v => v.ToString() ?? "",
            };
            var left = option.IsFlag ? $"  --{option.Name}[=true|false]" : $"  --{option.Name} <value>";
            lines.Add($"{left,-38} {option.Description}{(value.Length > 0 ? $" (default: {value})" : "")}");
        }
        lines.Add($"{"  --help",-38} show this help");
        lines.Add("");
        lines.Add("signals: SIGTERM drains (no new players; rooms play on for up to --drain-timeout-seconds), a second SIGTERM or SIGINT");
        lines.Add("shuts down at once; either way clients are told why. SIGUSR1 prints a stats line now.");
        lines.Add("exit codes: 0 clean shutdown, 1 runtime failure, 2 bad arguments or configuration.");
        return string.Join(Environment.NewLine, lines);
    }
}
