using System.Diagnostics;
using System.Net;
using Engine.Client.Netcode;
using Engine.LoadTest.Metrics;
using Engine.Protocol;
using Engine.Protocol.Time;

namespace Engine.LoadTest.Swarm;

/// <summary>
/// The simulated players, all driven by one thread: thousands of sans-IO <see cref="ClientConnection"/>s,
/// each on a UDP socket of its own (or, in the shared layout, multiplexed over a few). Each pass receives
/// everything waiting (recvmmsg on the sockets epoll names) and routes every datagram to its player (by its
/// socket, checked against the connection id, or the nonce during the handshake), runs the players
/// whose slot of the input period has come (inputs, timers, scenario actions), then sends what every
/// touched player has to say (sendmmsg). Nothing in a pass allocates.
/// </summary>
internal sealed partial class PlayerSwarm : IDisposable
{
    // The input period is cut into this many slots; player i runs in slot i % Slots, so the work of
    // one period is spread evenly instead of arriving as one burst.
    private const int Slots = 32;
    private const int MaxBatchesPerSocketPass = 16;
    private const int FrameDepth = 5;
    private const int PredictorCapacity = 64;
    private const long RequestTimeoutUs = 10_000_000;
    private const long RetryDelayUs = 1_000_000;

    private readonly LoadTestOptions _options;
    private readonly SocketPool _sockets;
    private readonly SimPlayer[] _players;
    // The shared layout's routing: which player a connection id or handshake nonce belongs to. With a
    // socket per player the socket names the player and these stay null.
    private readonly Dictionary<ulong, int>? _byConnectionId;
    private readonly Dictionary<ulong, int>? _byNonce;
    private const int FlushGroups = 4;
    private const ulong FlushGroupMask = FlushGroups - 1;

    private readonly int[][] _dirty;
    private readonly int[] _phaseCounts = new int[Enum.GetValues<PlayerPhase>().Length];
    private readonly byte[] _message = new byte[512];

    // Players of one room predict the same baselines: computed once, copied to the others (see PredictionMemo).
    private readonly PredictionMemo _predictions = new();
    private readonly long _slotUs;
    private readonly long _periodUs;
    private readonly int[] _dirtyCount = new int[FlushGroups];
    private long _nextSlotUs;
    private int _nextSlot;
    private int _emptyPasses;
    private uint _spectateRoomId;
    private SwarmCounters _counters;

    // Each handshake presents a fresh token issued with the server's key, as a game's backend would hand out.
    private readonly IPEndPoint _server;
    private readonly byte[]? _tokenKey;

    public PlayerSwarm(LoadTestOptions options, IPEndPoint server, byte[]? tokenKey)
    {
        _options = options;
        _server = server;
        _tokenKey = tokenKey;
        _sockets = SocketPool.Open(options, server);
        var total = options.TotalClients;
        _players = new SimPlayer[total];
        if (!options.SocketPerPlayer)
        {
            _byConnectionId = new Dictionary<ulong, int>(total * 2);
            _byNonce = new Dictionary<ulong, int>(total);
        }
        _dirty = new int[FlushGroups][];
        for (var g = 0; g < FlushGroups; g++)
        {
            _dirty[g] = new int[total];
        }
        var seed = (ulong)Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            _players[i] = new SimPlayer(i, options.SocketPerPlayer ? i : i % options.SharedSockets, SplitMix(seed + (ulong)i))
            {
                IsSpectatorRole = i >= options.Players,
                Intent = i >= options.Players ? RoomIntent.Spectate : RoomIntent.QuickMatch,
            };
        }
        _phaseCounts[(int)PlayerPhase.Waiting] = total;
        _periodUs = 1_000_000L / options.InputRate;
        _slotUs = Math.Max(1, _periodUs / Slots);
        Ack = new LatencySet("input_ack");
        Rtt = new LatencySet("rtt");
        Jitter = new LatencySet("snapshot_jitter");
        Handshake = new LatencySet("handshake");
        JoinTime = new LatencySet("join");
        Chat = new LatencySet("chat");
        Interarrival = new LatencySet("snapshot_interarrival");
        SlotLag = new LatencySet("slot_lag");
    }

    public NetcodeStats Netcode { get; } = new();
    public LatencySet Ack { get; }
    public LatencySet Rtt { get; }
    public LatencySet Jitter { get; }
    public LatencySet Interarrival { get; }
    public LatencySet Handshake { get; }
    public LatencySet JoinTime { get; }
    public LatencySet Chat { get; }

    /// <summary>How late each slot of players ran against its schedule: near 0 while the swarm keeps up.</summary>
    public LatencySet SlotLag { get; }
    public ref readonly SwarmCounters Counters => ref _counters;
    public SocketPool Sockets => _sockets;
    public int Total => _players.Length;
    public string SocketDescription => _sockets.Describe();

    public int Count(PlayerPhase phase) => _phaseCounts[(int)phase];

    public int Connected => Count(PlayerPhase.Lobby) + Count(PlayerPhase.InRoom) + Count(PlayerPhase.Playing) + Count(PlayerPhase.Spectating);

    public int InRooms => Count(PlayerPhase.InRoom) + Count(PlayerPhase.Playing);

    /// <summary>Churn actions run only while this is set (once everyone is in).</summary>
    public bool ChurnEnabled { get; set; }

    private static long NowUs => MonotonicClock.NowUs;

    /// <summary>
    /// Schedules the first handshake of the initial players (all but those the overload scenario's ramp
    /// adds later) and the spectators: <paramref name="perSecond"/> of them a second from <paramref name="startUs"/>.
    /// </summary>
    public void ScheduleStarts(long startUs, int perSecond, int spectatorDelayUs)
    {
        _target = _options.InitialPlayers;
        for (var i = 0; i < _players.Length; i++)
        {
            var p = _players[i];
            var order = p.IsSpectatorRole ? i - _options.Players : i;
            p.StartAtUs = !p.IsSpectatorRole && i >= _target ? long.MaxValue
                : startUs + (order * 1_000_000L / perSecond) + (p.IsSpectatorRole ? spectatorDelayUs : 0);
        }
        _nextSlotUs = startUs;
    }

    /// <summary>One pass of the loop; returns whether anything happened (the caller idles otherwise).</summary>
    public bool Pass()
    {
        var now = NowUs;
        var any = ReceiveAll(now);
        TakeTickets(now);
        var ran = 0;
        while (now >= _nextSlotUs && ran < Slots)
        {
            // How late the swarm runs its players: the client side's own saturation shows here.
            SlotLag.Record(now - _nextSlotUs);
            RunSlot(_nextSlot, now);
            _nextSlot = (_nextSlot + 1) % Slots;
            _nextSlotUs += _slotUs;
            ran++;
        }
        if (now - _nextSlotUs > _periodUs)
        {
            // Far behind (the machine is saturated): skip ahead rather than run a burst of stale slots.
            _nextSlotUs = now;
        }
        if (ChurnEnabled)
        {
            RunChurn(now);
        }
        RunLeaves(now);
        ReplaySameAddress(now);
        FlushDirty(now);
        return any || ran > 0;
    }

    /// <summary>
    /// After a pass that did nothing: spin through a couple more passes (a reply is often microseconds
    /// away), then block up to 1 ms until any socket has a datagram (one epoll_wait over all of them).
    /// </summary>
    public void Idle()
    {
        if (++_emptyPasses < 4)
        {
            return;
        }
        _emptyPasses = 0;
        _sockets.WaitReadable(1);
    }

    /// <summary>Receives from the sockets that have datagrams waiting (one epoll_wait names them), a few batches each.</summary>
    private bool ReceiveAll(long now)
    {
        var any = false;
        var ready = _sockets.WaitReadable(0);
        for (var r = 0; r < ready; r++)
        {
            var s = _sockets.ReadySocket(r);
            for (var b = 0; b < MaxBatchesPerSocketPass; b++)
            {
                var n = _sockets.Receive(s);
                if (n == 0)
                {
                    break;
                }
                any = true;
                var batch = _sockets.Received(s);
                for (var i = 0; i < n; i++)
                {
                    Deliver(s, batch.Payload(i), now);
                }
                if (n < _sockets.BatchCapacity)
                {
                    break;
                }
            }
        }
        if (any)
        {
            _emptyPasses = 0;
        }
        return any;
    }

    private void MarkDirty(SimPlayer p)
    {
        if (p.Dirty)
        {
            return;
        }
        p.Dirty = true;
        // One list per flush group: the shard byte of the connection id (what the server's steering
        // reads), so that in the shared layout runs of equal-size datagrams share a key and the send
        // batch can coalesce them (GSO). With a socket per player each player sends on its own.
        var g = (int)(p.Connection.ConnectionId & FlushGroupMask);
        _dirty[g][_dirtyCount[g]++] = p.Index;
    }

    private void FlushDirty(long now)
    {
        for (var g = 0; g < FlushGroups; g++)
        {
            var list = _dirty[g];
            var count = _dirtyCount[g];
            for (var d = 0; d < count; d++)
            {
                var p = _players[list[d]];
                p.Dirty = false;
                Flush(p, now);
            }
            _dirtyCount[g] = 0;
        }
        _sockets.Flush();
    }

    private void Flush(SimPlayer p, long now)
    {
        int length;
        Span<byte> buffer;
        while ((length = p.Connection.PollSend(buffer = _sockets.NextSendBuffer(p.Socket), now)) > 0)
        {
            _capture?.Offer(buffer[..length], p.Socket);
            _sockets.CommitSend(p.Socket, length);
        }
    }

    private void SetPhase(SimPlayer p, PlayerPhase phase)
    {
        _phaseCounts[(int)p.Phase]--;
        _phaseCounts[(int)phase]++;
        p.Phase = phase;
    }

    /// <summary>Every player says goodbye (the disconnect goes out three times) and the sockets drain a moment.</summary>
    public void DisconnectAll(TimeSpan drain)
    {
        var now = NowUs;
        foreach (var p in _players)
        {
            if (p.Connection.State is ClientState.Connected)
            {
                p.Connection.Disconnect();
                Flush(p, now);
            }
            SetPhase(p, PlayerPhase.Done);
        }
        _sockets.Flush();
        var until = Stopwatch.GetTimestamp() + (long)(drain.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            var ready = _sockets.WaitReadable(5);
            for (var r = 0; r < ready; r++)
            {
                var s = _sockets.ReadySocket(r);
                while (_sockets.Receive(s) > 0)
                {
                }
            }
        }
    }

    public void Dispose() => _sockets.Dispose();

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
