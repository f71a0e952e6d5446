using System.Diagnostics.Metrics;
using System.Net;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Protocol.Simulation;
using Engine.Server.Diagnostics;
using Engine.Server.Fleet;
using Engine.Server.Rooms;
using Engine.Server.Security;
using Engine.Server.Sessions;
using Engine.Server.Shards;
using Engine.Server.Simulation;
using Engine.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Server;

/// <summary>
/// The server: N shards on one UDP port, each a pinned thread with its own reuseport socket, and
/// a kernel program steering each session's packets to the shard that owns it. It builds the shards
/// and what they share (the shard and room directories, the session pool, the used-token table),
/// starts and stops them, and sums their figures; shards reach each other through the
/// <see cref="ShardDirectory"/>, never through here.
/// </summary>
public sealed class GameServer : IDisposable
{
    private readonly ILogger _logger;
    private readonly List<Shard> _shards = new();
    private EngineMetrics? _metrics;
    private volatile bool _stopping;
    private volatile bool _draining;
    private int _failedShards;

    private readonly Func<int, IGameMode> _gameModeFactory;

    /// <param name="gameModeFactory">Makes the game mode of each new room from its capacity; the built-in movement arena when null.</param>
    public GameServer(ServerOptions options, ILoggerFactory? loggerFactory = null, Func<int, IGameMode>? gameModeFactory = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }
        Options = options;
        var arena = new ArenaSettings { TickRate = options.TickRate };
        _gameModeFactory = gameModeFactory ?? (capacity => new MovementArenaMode(capacity, arena));
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Engine.Server");
    }

    public ServerOptions Options { get; }

    /// <summary>The address connect tokens must list to be accepted here (known once started).</summary>
    public ServerIdentity Identity { get; private set; }

    /// <summary>Tokens admitted and not yet expired, shared by the shards; null on an insecure server.</summary>
    internal UsedTokenTable? UsedTokens { get; private set; }

    /// <summary>Resume tickets presented here and not yet expired, shared by the shards; null on an insecure server.</summary>
    internal UsedTicketTable? UsedTickets { get; private set; }

    /// <summary>The fleet this node belongs to, once the host has joined one (<see cref="JoinFleet"/>).</summary>
    internal FleetLink Fleet { get; } = new();

    internal RoomDirectory Rooms { get; private set; } = null!;

    /// <summary>Where sessions live: placement, reservations and the queues into each shard.</summary>
    internal ShardDirectory Directory { get; private set; } = null!;

    /// <summary>
    /// Closed sessions of every shard. One pool, not one per shard: a session is opened on the
    /// shard that admits it and often closed on the shard of its room, so per-shard pools would
    /// fill on one side while the other kept allocating.
    /// </summary>
    internal SessionPool SessionPool { get; private set; } = null!;

    public int RoomCount => Rooms?.Count ?? 0;
    public IPEndPoint? LocalEndPoint { get; private set; }
    public int ShardCount => _shards.Count;
    public bool IsStopping => _stopping;

    /// <summary>Set by <see cref="StartDraining"/>: no new session is admitted and no room opened; rooms already open play on.</summary>
    public bool IsDraining => _draining;

    /// <summary>Connected players seated in rooms (slots kept for dropped players not counted): the games a drain waits for.</summary>
    public int PlayersInRooms => Rooms?.ConnectedPlayers ?? 0;

    /// <summary>Set when a shard thread died on a bug; health checks report it.</summary>
    public bool HasFailedShard => Volatile.Read(ref _failedShards) > 0;

    public int SessionCount => Directory?.SessionCount ?? 0;

    public IReadOnlyList<ShardCounters> ShardCounters => _shards.Select(s => s.Counters).ToArray();

    /// <summary>Opens the shard sockets in shard order (the kernel indexes the reuseport group by bind order), attaches the steering program and starts the shard threads.</summary>
    public void Start()
    {
        if (_shards.Count > 0)
        {
            throw new InvalidOperationException("The server is already started.");
        }
        if (!TransportPlatform.IsSupported)
        {
            EngineLog.PlatformNotSupported(_logger, TransportPlatform.Description);
            throw new PlatformNotSupportedException($"Engine's transport needs Linux; this is {TransportPlatform.Description}.");
        }
        var shardCount = Options.EffectiveShards;
        Rooms = new RoomDirectory(Options.MaxRooms);
        Directory = new ShardDirectory(shardCount, Options.MaxSessions, Options.MaxSessionsPerAddress);
        SessionPool = new SessionPool(new ConnectionOptions
        {
            TimeoutUs = Options.TimeoutMs * 1000L,
            PingIntervalUs = Options.PingIntervalMs * 1000L,
            MaxPayload = Options.MaxPayload,
            Sealed = !Options.Insecure,
        }, retained: Math.Min(Options.MaxSessions, 65536));
        var secret = HandshakeCookies.NewSecret();
        if (!Options.Insecure)
        {
            // Tokens live seconds to minutes; room for twice the sessions the server takes covers a full server's churn.
            UsedTokens = new UsedTokenTable(Math.Clamp(2 * Options.MaxSessions, 4096, 1 << 21));
            UsedTickets = new UsedTicketTable(Math.Clamp(Options.MaxSessions, 4096, 1 << 20));
        }
        var port = Options.Port;
        try
        {
            for (var i = 0; i < shardCount; i++)
            {
                var socket = BatchSocket.Open(new BatchSocketOptions
                {
                    BindAddress = IPAddress.Parse(Options.Bind),
                    Port = port,
                    ReusePort = true,
                    ReceiveBufferBytes = Options.ReceiveBufferBytes,
                    SendBufferBytes = Options.SendBufferBytes,
                });
                port = socket.LocalEndPoint.Port;
                if (i == 0)
                {
                    LocalEndPoint = socket.LocalEndPoint;
                    Identity = ServerIdentity.For(string.IsNullOrEmpty(Options.PublicAddress) ? LocalEndPoint : IPEndPoint.Parse(Options.PublicAddress));
                }
                _shards.Add(new Shard(i, this, socket, secret, _logger));
            }
            _shards[0].Socket.AttachSteeringProgram(shardCount);
        }
        catch
        {
            DisposeShards();
            throw;
        }
        var first = _shards[0].Socket;
        if (first.ReceiveBufferBytes < Options.ReceiveBufferBytes)
        {
            EngineLog.SmallSocketBuffer(_logger, Options.ReceiveBufferBytes, first.ReceiveBufferBytes);
        }
        _metrics = new EngineMetrics(_shards, () => _draining);
        foreach (var shard in _shards)
        {
            shard.Start();
        }
        EngineLog.Listening(_logger, first.LocalEndPoint.ToString(), shardCount, first.ReceiveBufferBytes, first.SendBufferBytes,
            first.GsoEnabled ? "on" : "off", shardCount > 1 ? "kernel (reuseport cBPF)" : "single shard");
    }

    /// <summary>
    /// Makes this node part of a fleet: a join by fleet-wide room id that names another node is answered
    /// with a redirect there, looked up in <paramref name="directory"/> (which must answer from a cached copy,
    /// never waiting). Tickets from other nodes are accepted with or without it, on a secure server.
    /// </summary>
    public void JoinFleet(IFleetDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Fleet.Directory = directory;
    }

    /// <summary>
    /// Appends a summary of every open room to <paramref name="into"/>: for the fleet's directory, read
    /// off the shard threads like the stats line (the room directory's lock, never a shard's state).
    /// </summary>
    public void CopyRoomSummaries(List<RoomSummary> into)
    {
        if (Rooms is null)
        {
            return;
        }
        var entries = new List<RoomEntry>();
        Rooms.CopyOpen(entries);
        foreach (var entry in entries)
        {
            if (!entry.IsClosed)
            {
                into.Add(new RoomSummary(entry.Id, entry.Name, entry.IsPrivate, entry.Password is not null, entry.Capacity, entry.Players, entry.Spectators));
            }
        }
    }

    /// <summary>Rooms the shards have allocated rather than reused (tests watch it stay flat under churn).</summary>
    internal long RoomsAllocated => _shards.Sum(s => s.RoomsAllocated);

    internal IGameMode CreateGameMode(int capacity) => _gameModeFactory(capacity);

    /// <summary>The "Engine" meter of this server (tests tell it from other servers' meters in the same process).</summary>
    internal Meter? Meter => _metrics?.Meter;

    /// <summary>Tick durations, RTTs and snapshot sizes of every shard, for metrics and reports.</summary>
    public IReadOnlyList<ShardHistograms> Histograms => _shards.Select(s => s.Histograms).ToArray();

    internal void OnShardFailed(int index) => Interlocked.Increment(ref _failedShards);

    public ServerStatistics GetStatistics()
    {
        long inCount = 0, outCount = 0, bytesIn = 0, bytesOut = 0, drops = 0, opened = 0, closed = 0, timedOut = 0, misrouted = 0, kernel = 0, receiveCalls = 0, sendCalls = 0;
        long snapshots = 0, deferred = 0, shared = 0, lone = 0, shed = 0;
        var level = 0;
        foreach (var shard in _shards)
        {
            var c = shard.Counters;
            inCount += Volatile.Read(ref c.DatagramsIn);
            outCount += Volatile.Read(ref c.DatagramsOut);
            bytesIn += Volatile.Read(ref c.BytesIn);
            bytesOut += Volatile.Read(ref c.BytesOut);
            drops += c.TotalDrops();
            opened += Volatile.Read(ref c.SessionsOpened);
            closed += Volatile.Read(ref c.SessionsClosed);
            timedOut += Volatile.Read(ref c.SessionsTimedOut);
            misrouted += Volatile.Read(ref c.MisroutedSessionPackets);
            snapshots += Volatile.Read(ref c.SnapshotsSent);
            deferred += Volatile.Read(ref c.SnapshotsDeferred);
            shared += Volatile.Read(ref c.SharedEncodings);
            lone += Volatile.Read(ref c.PlayerEncodings) + Volatile.Read(ref c.SpectatorEncodings);
            shed += c.Drops(DropReason.OverloadShed);
            level = Math.Max(level, Volatile.Read(ref c.OverloadLevel));
            var socket = shard.Socket.Counters;
            kernel += socket.KernelDrops;
            receiveCalls += socket.ReceiveCalls;
            sendCalls += socket.SendCalls;
        }
        return new ServerStatistics(SessionCount, inCount, outCount, bytesIn, bytesOut, drops, opened, closed, timedOut, misrouted, kernel, receiveCalls, sendCalls,
            snapshots, deferred, shared, lone, shed, level);
    }

    /// <summary>
    /// Takes no new players from now on: hellos get <see cref="RejectReason.Draining"/>, room creation
    /// (and quick match when no open room fits) <see cref="Protocol.Rooms.RoomStatus.Draining"/>. Sessions
    /// and rooms carry on until <see cref="Stop"/>; when to call it is the host's decision.
    /// </summary>
    public void StartDraining()
    {
        Rooms?.CloseCreation();
        _draining = true;
    }

    /// <summary>Stops accepting, sends every client a disconnect saying the server is shutting down, and waits for the shards.</summary>
    public bool Stop(TimeSpan timeout)
    {
        if (_stopping)
        {
            return true;
        }
        _stopping = true;
        EngineLog.ShuttingDown(_logger, SessionCount);
        foreach (var shard in _shards)
        {
            shard.RequestStop();
        }
        var deadline = DateTime.UtcNow + timeout;
        var clean = true;
        foreach (var shard in _shards)
        {
            var left = deadline - DateTime.UtcNow;
            if (!shard.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                EngineLog.ShardStuck(_logger, shard.Index);
                clean = false;
            }
        }
        EngineLog.Stopped(_logger);
        return clean;
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromMilliseconds(Options.ShutdownTimeoutMs));
        _metrics?.Dispose();
        DisposeShards();
    }

    private void DisposeShards()
    {
        foreach (var shard in _shards)
        {
            if (!shard.IsRunning)
            {
                shard.Dispose();
            }
        }
    }
}
