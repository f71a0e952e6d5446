using System.Net;
using Engine.Protocol.Sessions;
using Engine.Server.Diagnostics;
using Engine.Protocol.Simulation;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Server.Simulation;
using Engine.Server.Shards;
using Engine.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Server;

/// <summary>
/// The server: N shards on one UDP port, each a pinned thread with its own reuseport socket, and
/// a kernel program steering each session's packets to the shard that owns it.
/// </summary>
public sealed class GameServer : IDisposable
{
    private readonly ILogger _logger;
    private readonly List<Shard> _shards = new();
    private readonly Dictionary<AddressKey, int> _sessionsPerAddress = new();
    private EngineMetrics? _metrics;
    private int _nextPlayerId;
    private volatile bool _stopping;
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
    public Protocol.Security.ServerIdentity Identity { get; private set; }

    /// <summary>Tokens admitted and not yet expired, shared by the shards; null on an insecure server.</summary>
    internal Security.UsedTokenTable? UsedTokens { get; private set; }

    internal RoomDirectory Rooms { get; private set; } = null!;

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

    /// <summary>Set when a shard thread died on a bug; health checks report it.</summary>
    public bool HasFailedShard => Volatile.Read(ref _failedShards) > 0;

    public int SessionCount
    {
        get
        {
            var total = 0;
            foreach (var shard in _shards)
            {
                total += shard.SessionCount;
            }
            return total;
        }
    }

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
        SessionPool = new SessionPool(new ConnectionOptions
        {
            TimeoutUs = Options.TimeoutMs * 1000L,
            PingIntervalUs = Options.PingIntervalMs * 1000L,
            MaxPayload = Options.MaxPayload,
            Sealed = !Options.Insecure,
        }, retained: Math.Min(Options.MaxSessions, 65536));
        var secret = Protocol.Handshake.HandshakeCookies.NewSecret();
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
        LocalEndPoint = first.LocalEndPoint;
        Identity = Protocol.Security.ServerIdentity.For(string.IsNullOrEmpty(Options.PublicAddress) ? LocalEndPoint : IPEndPoint.Parse(Options.PublicAddress));
        if (!Options.Insecure)
        {
            // Tokens live seconds to minutes; room for twice the sessions the server takes covers a full server's churn.
            UsedTokens = new Security.UsedTokenTable(Math.Clamp(2 * Options.MaxSessions, 4096, 1 << 21));
        }
        if (first.ReceiveBufferBytes < Options.ReceiveBufferBytes)
        {
            EngineLog.SmallSocketBuffer(_logger, Options.ReceiveBufferBytes, first.ReceiveBufferBytes);
        }
        _metrics = new EngineMetrics(_shards);
        foreach (var shard in _shards)
        {
            shard.Start();
        }
        EngineLog.Listening(_logger, LocalEndPoint.ToString(), shardCount, first.ReceiveBufferBytes, first.SendBufferBytes,
            first.GsoEnabled ? "on" : "off", shardCount > 1 ? "kernel (reuseport cBPF)" : "single shard");
    }

    /// <summary>The least-loaded shard, with a slot reserved on it for the session about to be placed.</summary>
    internal Shard PlaceSession()
    {
        var best = _shards[0];
        var bestLoad = best.Load;
        for (var i = 1; i < _shards.Count; i++)
        {
            var load = _shards[i].Load;
            if (load < bestLoad)
            {
                best = _shards[i];
                bestLoad = load;
            }
        }
        best.Reserve();
        return best;
    }

    /// <summary>The least-loaded shard, without reserving anything on it.</summary>
    internal Shard LeastLoadedShard()
    {
        var best = _shards[0];
        foreach (var shard in _shards)
        {
            if (shard.Load < best.Load)
            {
                best = shard;
            }
        }
        return best;
    }

    internal Shard Shard(int index) => _shards[index];

    /// <summary>Rooms the shards have allocated rather than reused (tests watch it stay flat under churn).</summary>
    internal long RoomsAllocated => _shards.Sum(s => s.RoomsAllocated);

    internal IGameMode CreateGameMode(int capacity) => _gameModeFactory(capacity);

    /// <summary>The "Engine" meter of this server (tests tell it from other servers' meters in the same process).</summary>
    internal System.Diagnostics.Metrics.Meter? Meter => _metrics?.Meter;

    /// <summary>Tick durations, RTTs and snapshot sizes of every shard, for metrics and reports.</summary>
    public IReadOnlyList<ShardHistograms> Histograms => _shards.Select(s => s.Histograms).ToArray();

    internal uint NextPlayerId() => (uint)Interlocked.Increment(ref _nextPlayerId);

    /// <summary>Counts a session against its address's limit; false when the address already has its share.</summary>
    internal bool TryAddAddressSession(in PeerAddress address)
    {
        var key = AddressKey.From(address);
        lock (_sessionsPerAddress)
        {
            var count = _sessionsPerAddress.GetValueOrDefault(key);
            if (count >= Options.MaxSessionsPerAddress)
            {
                return false;
            }
            _sessionsPerAddress[key] = count + 1;
            return true;
        }
    }

    internal void RemoveAddressSession(in PeerAddress address)
    {
        var key = AddressKey.From(address);
        lock (_sessionsPerAddress)
        {
            if (_sessionsPerAddress.TryGetValue(key, out var count))
            {
                if (count <= 1)
                {
                    _sessionsPerAddress.Remove(key);
                }
                else
                {
                    _sessionsPerAddress[key] = count - 1;
                }
            }
        }
    }

    /// <summary>The IP address alone (no port), v4 and v4-mapped alike.</summary>
    private readonly record struct AddressKey(ulong High, ulong Low)
    {
        public static AddressKey From(in PeerAddress address)
        {
            Span<byte> bytes = stackalloc byte[PeerAddress.CanonicalLength];
            address.WriteCanonicalBytes(bytes);
            return new AddressKey(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes), System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(8)));
        }
    }

    internal void OnShardFailed(int index) => Interlocked.Increment(ref _failedShards);

    public ServerStatistics GetStatistics()
    {
        long inCount = 0, outCount = 0, bytesIn = 0, bytesOut = 0, drops = 0, opened = 0, closed = 0, timedOut = 0, misrouted = 0, kernel = 0, receiveCalls = 0, sendCalls = 0;
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
            var socket = shard.Socket.Counters;
            kernel += socket.KernelDrops;
            receiveCalls += socket.ReceiveCalls;
            sendCalls += socket.SendCalls;
        }
        return new ServerStatistics(SessionCount, inCount, outCount, bytesIn, bytesOut, drops, opened, closed, timedOut, misrouted, kernel, receiveCalls, sendCalls);
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
