using System.Net;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;

namespace Engine.Server;

/// <summary>Everything the server can be told. The host binds it from arguments, environment and a JSON file, then calls <see cref="Validate"/>.</summary>
public sealed class ServerOptions
{
    /// <summary>Address to listen on; "::" listens on IPv6 and IPv4 (dual-stack).</summary>
    public string Bind { get; set; } = "::";
    public int Port { get; set; } = 7777;

    /// <summary>Shard threads; 0 means one per available core.</summary>
    public int Shards { get; set; }

    /// <summary>Pin each shard thread to its own core.</summary>
    public bool PinThreads { get; set; } = true;
    public int ReceiveBufferBytes { get; set; } = 4 * 1024 * 1024;
    public int SendBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Datagrams per recvmmsg/sendmmsg call.</summary>
    public int BatchSize { get; set; } = 64;
    public int MaxPayload { get; set; } = ProtocolConstants.DefaultMaxPayload;
    public int TimeoutMs { get; set; } = 5000;
    public int PingIntervalMs { get; set; } = 1000;
    public int MaxSessions { get; set; } = 65536;

    /// <summary>Sessions one IP address may hold at once.</summary>
    public int MaxSessionsPerAddress { get; set; } = 256;

    /// <summary>Datagrams per second one IP address may send to a shard (twice that in a burst); 0 = unlimited.</summary>
    public int PacketsPerSecondPerAddress { get; set; } = 20_000;

    /// <summary>Hellos per second one IP address may send to a shard (twice that in a burst); 0 = unlimited.</summary>
    public int HandshakesPerSecondPerAddress { get; set; } = 100;

    /// <summary>Datagrams per second one session may send (twice that in a burst); 0 = unlimited.</summary>
    public int PacketsPerSecondPerSession { get; set; } = 250;

    /// <summary>Reliable messages (room requests, the game's reliable bytes) per second one session may send (twice that in a burst).</summary>
    public int ReliablePerSecondPerSession { get; set; } = 50;

    /// <summary>
    /// Datagrams per second a shard takes in before it sheds load, cheapest first: new handshakes,
    /// then everything that is not an established session, then session packets; 0 = unlimited.
    /// </summary>
    public int ShardPacketsPerSecond { get; set; } = 1_000_000;

    /// <summary>Rooms open at once, in all.</summary>
    public int MaxRooms { get; set; } = 4096;

    /// <summary>The largest room capacity a client may ask for.</summary>
    public int MaxPlayersPerRoom { get; set; } = 64;

    /// <summary>Capacity of the rooms quick match creates when the client asks for none.</summary>
    public int DefaultRoomCapacity { get; set; } = 16;

    public int MaxSpectatorsPerRoom { get; set; } = 256;

    /// <summary>How long a player who dropped keeps their slot for a reconnect with the resume token.</summary>
    public int ReconnectWindowMs { get; set; } = 30_000;

    /// <summary>How long an empty room stays open before it closes.</summary>
    public int EmptyRoomGraceMs { get; set; } = 10_000;

    /// <summary>Chat messages a player may send in a burst, then per second.</summary>
    public int ChatBurst { get; set; } = 5;
    public int ChatPerSecond { get; set; } = 1;

    /// <summary>Simulation ticks per second in every room.</summary>
    public int TickRate { get; set; } = 60;

    /// <summary>Snapshots per second sent to each player; a divisor of the tick rate.</summary>
    public int SnapshotRate { get; set; } = 20;

    /// <summary>
    /// How old a client's newest acknowledged snapshot may be and still serve as the baseline of its
    /// next delta, in milliseconds; a client further behind is sent a full state. Each room keeps
    /// that many milliseconds of snapshot frames (3.1 KB each for a room of 50), so this is memory
    /// per room: at 10 snapshots a second, 1,000 ms is 11 frames where 3.2 s was 33.
    /// </summary>
    public int SnapshotHistoryMs { get; set; } = 1000;

    /// <summary>
    /// Frames in each room's snapshot history: <see cref="SnapshotHistoryMs"/> of snapshots plus the
    /// newest, at least 3, at most what a client's view can still name (<see cref="Snapshots.SnapshotView.Remembered"/> + 1).
    /// </summary>
    public int SnapshotHistoryDepth =>
        (int)Math.Clamp(((((long)SnapshotRate * SnapshotHistoryMs) + 999) / 1000) + 1, 3, Snapshots.SnapshotView.Remembered + 1);

    /// <summary>
    /// The CPU time a shard's tick may take, in microseconds; over it the shard degrades in the
    /// documented order (docs/OVERLOAD.md). 0 = a quarter of the tick period.
    /// </summary>
    public int TickBudgetUs { get; set; }

    public long EffectiveTickBudgetUs => TickBudgetUs > 0 ? TickBudgetUs : 1_000_000L / TickRate / 4;

    /// <summary>How often each shard checks timeouts and keep-alives.</summary>
    public int TimerIntervalMs { get; set; } = 20;

    /// <summary>How long shutdown waits for disconnects to go out.</summary>
    public int ShutdownTimeoutMs { get; set; } = 1500;

    /// <summary>Send every application message back to its sender (diagnostics and the ping-pong benchmark).</summary>
    public bool Echo { get; set; }

    /// <summary>Seconds between stats lines; 0 turns them off.</summary>
    public int StatsIntervalSeconds { get; set; } = 10;

    /// <summary>
    /// The 32-byte key the game's backend seals connect tokens with. Required unless <see cref="Insecure"/>:
    /// the server then admits only clients with a valid token and seals every session packet.
    /// </summary>
    public byte[]? ConnectTokenKey { get; set; }

    /// <summary>No tokens and no sealing: today's plaintext protocol, for LAN benchmarks only.</summary>
    public bool Insecure { get; set; }

    /// <summary>
    /// The address clients reach this server at ("203.0.113.7:7777"), which tokens must list; empty = the
    /// listen endpoint (a wildcard listen address then accepts tokens for any address with the right port).
    /// </summary>
    public string? PublicAddress { get; set; }

    /// <summary>Identifies the game: tokens issued for another protocol id are refused.</summary>
    public ulong ProtocolId { get; set; }

    public int EffectiveShards => Shards > 0 ? Shards : Environment.ProcessorCount;

    /// <summary>Every problem with these options, one message each; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IPAddress.TryParse(Bind, out _))
        {
            errors.Add($"bind: '{Bind}' is not an IP address (examples: 0.0.0.0, ::, 127.0.0.1)");
        }
        Check(errors, "port", Port, 0, 65535);
        Check(errors, "shards", Shards, 0, 255);
        Check(errors, "receive-buffer-bytes", ReceiveBufferBytes, 64 * 1024, 1 << 30);
        Check(errors, "send-buffer-bytes", SendBufferBytes, 64 * 1024, 1 << 30);
        Check(errors, "batch-size", BatchSize, 1, 1024);
        Check(errors, "max-payload", MaxPayload, ProtocolConstants.MinMaxPayload, ProtocolConstants.MaxDatagram);
        Check(errors, "timeout-ms", TimeoutMs, 100, 600_000);
        Check(errors, "ping-interval-ms", PingIntervalMs, 10, 60_000);
        if (PingIntervalMs >= TimeoutMs)
        {
            errors.Add($"ping-interval-ms: {PingIntervalMs} must be shorter than timeout-ms ({TimeoutMs})");
        }
        Check(errors, "max-sessions", MaxSessions, 1, 10_000_000);
        Check(errors, "timer-interval-ms", TimerIntervalMs, 1, 1000);
        Check(errors, "max-sessions-per-address", MaxSessionsPerAddress, 1, 10_000_000);
        Check(errors, "max-rooms", MaxRooms, 1, 1_000_000);
        Check(errors, "packets-per-second-per-address", PacketsPerSecondPerAddress, 0, 100_000_000);
        Check(errors, "handshakes-per-second-per-address", HandshakesPerSecondPerAddress, 0, 10_000_000);
        Check(errors, "packets-per-second-per-session", PacketsPerSecondPerSession, 0, 1_000_000);
        Check(errors, "reliable-per-second-per-session", ReliablePerSecondPerSession, 0, 1_000_000);
        Check(errors, "shard-packets-per-second", ShardPacketsPerSecond, 0, 100_000_000);
        Check(errors, "max-players-per-room", MaxPlayersPerRoom, 1, 250);
        Check(errors, "default-room-capacity", DefaultRoomCapacity, 1, 250);
        if (DefaultRoomCapacity > MaxPlayersPerRoom)
        {
            errors.Add($"default-room-capacity: {DefaultRoomCapacity} is more than max-players-per-room ({MaxPlayersPerRoom})");
        }
        Check(errors, "max-spectators-per-room", MaxSpectatorsPerRoom, 0, 65_535);
        Check(errors, "reconnect-window-ms", ReconnectWindowMs, 0, 3_600_000);
        Check(errors, "empty-room-grace-ms", EmptyRoomGraceMs, 0, 3_600_000);
        Check(errors, "chat-burst", ChatBurst, 1, 1000);
        Check(errors, "chat-per-second", ChatPerSecond, 1, 1000);
        Check(errors, "tick-rate", TickRate, 1, 1000);
        Check(errors, "snapshot-rate", SnapshotRate, 1, 1000);
        Check(errors, "snapshot-history-ms", SnapshotHistoryMs, 100, 60_000);
        Check(errors, "tick-budget-us", TickBudgetUs, 0, 1_000_000);
        if (SnapshotRate > TickRate || (TickRate % SnapshotRate) != 0)
        {
            errors.Add($"snapshot-rate: {SnapshotRate} must divide tick-rate ({TickRate})");
        }
        Check(errors, "shutdown-timeout-ms", ShutdownTimeoutMs, 0, 60_000);
        Check(errors, "stats-interval-seconds", StatsIntervalSeconds, 0, 86_400);
        if (Insecure && ConnectTokenKey is not null)
        {
            errors.Add("insecure: a token key is configured too; give one or the other");
        }
        else if (!Insecure && ConnectTokenKey is null)
        {
            errors.Add("token-key: no key configured; give --token-key HEX (32 bytes), --token-key-file PATH or ENGINE_TOKEN_KEY, or --insecure for a LAN benchmark without tokens and encryption");
        }
        else if (ConnectTokenKey is not null && ConnectTokenKey.Length != SecurityConstants.KeySize)
        {
            errors.Add($"token-key: the key is {ConnectTokenKey.Length} bytes; it must be {Protocol.Security.SecurityConstants.KeySize} (64 hex digits)");
        }
        if (!string.IsNullOrEmpty(PublicAddress) && (!IPEndPoint.TryParse(PublicAddress, out var publicAddress) || publicAddress.Port == 0))
        {
            errors.Add($"public-address: '{PublicAddress}' is not an address with a port (examples: 203.0.113.7:7777, [2001:db8::1]:7777)");
        }
        return errors;
    }

    private static void Check(List<string> errors, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{name}: {value} is out of range ({min}..{max})");
        }
    }
}
