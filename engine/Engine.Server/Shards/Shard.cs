using System.Diagnostics;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Rooms;
using Engine.Protocol.Sessions;
using Engine.Protocol.Time;
using Engine.Protocol.Wire;
using Engine.Server.Diagnostics;
using Engine.Server.Fleet;
using Engine.Server.Handshake;
using Engine.Server.Limits;
using Engine.Server.Overload;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Server.Simulation;
using Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Engine.Server.Shards;

/// <summary>
/// One shard: one pinned thread, one reuseport socket, its own sessions and buffers. The shard
/// moves bytes and owns sessions: it receives a batch, guards it, finds each packet's session and
/// lets the connection dispatch it to the services (handshake, rooms, simulation with snapshots),
/// then flushes what they queued. Other shards reach it only through its <see cref="ShardMailbox"/>.
/// </summary>
internal sealed class Shard : IDisposable
{
    // A moved session's old id keeps working this long, so packets sent before the client switched still count.
    private const long MoveGraceUs = 10_000_000;

    private readonly GameServer _server;
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly BatchSocket _socket;
    private readonly ReceiveBatch _receive;
    private readonly Outbox _outbox;
    private readonly ShardDirectory _directory;
    private readonly ShardMailbox _mailbox;
    private readonly SessionPool _sessionPool;
    private readonly SessionTable _sessions = new();
    private readonly ClosedSessions _closedByClient = new();
    private readonly List<Session> _expired = new();
    private readonly List<(Session Session, int Shard, RoomJoin Join)> _moves = new();
    private readonly AddressRateTable _addressLimits;
    private readonly RateLimit _sessionPacketLimit;
    private LoadGuard _guard;
    private readonly OverloadMonitor _overload;
    private readonly ShardOutput _output;
    private readonly HandshakeService _handshake;
    private readonly RoomService<ShardOutput> _rooms;
    private readonly SimulationService<ShardOutput> _simulation;
    private readonly FleetMoves? _fleetMoves;
    private Thread? _thread;
    private long _truncatedSeen;
    private volatile bool _stopRequested;

    public Shard(int index, GameServer server, BatchSocket socket, byte[] cookieSecret, ILogger logger)
    {
        Index = index;
        _server = server;
        _options = server.Options;
        _socket = socket;
        _logger = logger;
        _directory = server.Directory;
        _mailbox = _directory.Mailbox(index);
        _sessionPool = server.SessionPool;
        _receive = new ReceiveBatch(_options.BatchSize, ProtocolConstants.MaxDatagram + 1);
        _outbox = new Outbox(socket, new SendBatch(_options.BatchSize, ProtocolConstants.MaxDatagram), Counters);
        _addressLimits = new AddressRateTable(16_384,
            RateLimit.Of(_options.PacketsPerSecondPerAddress, 2 * _options.PacketsPerSecondPerAddress),
            RateLimit.Of(_options.HandshakesPerSecondPerAddress, 2 * _options.HandshakesPerSecondPerAddress));
        _sessionPacketLimit = RateLimit.Of(_options.PacketsPerSecondPerSession, 2 * _options.PacketsPerSecondPerSession);
        _guard = new LoadGuard(_options.ShardPacketsPerSecond);
        _overload = new OverloadMonitor(_options.EffectiveTickBudgetUs);
        _output = new ShardOutput(_outbox, Counters, _moves);
        _handshake = new HandshakeService(_options, cookieSecret, server.Identity, server.UsedTokens, _directory, _addressLimits, Counters);
        _fleetMoves = _options.Insecure ? null
            : new FleetMoves(server.Fleet, _options.ConnectTokenKey, _options.ProtocolId, server.UsedTickets!, server.Identity, TimeProvider.System);
        _rooms = new RoomService<ShardOutput>(index, _options, server.Rooms, _directory, server.CreateGameMode, Counters, _output, _fleetMoves);
        _simulation = new SimulationService<ShardOutput>(_options, Counters, Histograms, _output);
    }

    public int Index { get; }
    public ShardCounters Counters { get; } = new();

    /// <summary>Tick durations, session RTTs and snapshot sizes, for the metrics' histograms.</summary>
    public ShardHistograms Histograms { get; } = new();
    public BatchSocket Socket => _socket;
    public int SessionCount => _mailbox.Sessions;
    public int RoomCount => _rooms.RoomCount;
    internal long RoomsAllocated => _rooms.RoomsAllocated;
    public bool IsRunning => _thread is { IsAlive: true };

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = $"engine-shard-{Index}" };
        _thread.Start();
    }

    public void RequestStop() => _stopRequested = true;

    public bool Join(TimeSpan timeout) => _thread is null || _thread.Join(timeout);

    private void Run()
    {
        // The Index-th CPU the process may use: under taskset or a container's cpuset those are not 0..n-1.
        var allowed = ThreadAffinity.AllowedCpus();
        var cpu = allowed.Length > 0 ? allowed[Index % allowed.Length] : Index % Environment.ProcessorCount;
        EngineLog.ShardStarted(_logger, Index, _options.PinThreads && ThreadAffinity.TryPinCurrentThread(cpu) ? cpu : -1);
        try
        {
            Loop();
        }
        catch (Exception ex)
        {
            // A bug, not bad input: bad input is dropped and counted on the way in.
            EngineLog.ShardFailed(_logger, Index, ex);
            _server.OnShardFailed(Index);
        }
    }

    private void Loop()
    {
        var timerIntervalUs = _options.TimerIntervalMs * 1000L;
        var nextTimerUs = MonotonicClock.NowUs + timerIntervalUs;
        while (!_stopRequested)
        {
            var now = MonotonicClock.NowUs;
            DrainMailbox(now);
            var received = _socket.Receive(_receive);
            for (var i = 0; i < received; i++)
            {
                Handle(_receive.Payload(i), in _receive.Source(i), now);
            }
            var drained = received < _receive.Capacity;
            if (now >= nextTimerUs)
            {
                RunTimers(now, drained);
                nextTimerUs = now + timerIntervalUs;
            }
            var nextTickUs = RunTicks(now);
            _outbox.Flush(now);
            if (_moves.Count > 0)
            {
                RunMoves(now);
            }
            // A batch that did not fill means the queue was empty a moment ago: wait in poll
            // rather than ask recvmmsg again only to hear EAGAIN (one syscall fewer per wake-up).
            var waitedUs = 0L;
            if (drained)
            {
                var wakeUs = _rooms.Rooms.Length > 0 ? Math.Min(nextTimerUs, nextTickUs) : nextTimerUs;
                var waitMs = (int)Math.Clamp((wakeUs - now + 999) / 1000, 0, 100);
                var waitStarted = MonotonicClock.NowUs;
                _socket.WaitReadable(waitMs);
                waitedUs = MonotonicClock.NowUs - waitStarted;
            }
            _overload.ObserveLoop(receiveFull: !drained, waitedUs, now);
            Volatile.Write(ref Counters.OverloadLevel, (int)_overload.Level);
        }
        CloseAllSessions(DisconnectReason.ServerShuttingDown);
    }

    private void Handle(Span<byte> datagram, in PeerAddress source, long now)
    {
        Counters.DatagramsIn++;
        Counters.BytesIn += datagram.Length;
        if (datagram.Length > _options.MaxPayload)
        {
            Counters.Drop(datagram.Length > ProtocolConstants.MaxDatagram ? DropReason.Truncated : DropReason.Oversized);
            return;
        }
        if (datagram.IsEmpty)
        {
            Counters.Drop(DropReason.TooShort);
            return;
        }
        var type = (PacketType)(datagram[0] & ProtocolConstants.TypeMask);
        if (!_guard.TryAdmit(type, datagram, now))
        {
            Counters.Drop(DropReason.Shed);
            return;
        }
        if (type == PacketType.Hello && _guard.ShedsHello(datagram, _overload.Level, now))
        {
            Counters.Drop(DropReason.OverloadShed);
            return;
        }
        if (!_addressLimits.TryTakePacket(source, now))
        {
            Counters.Drop(DropReason.AddressRateLimited);
            return;
        }
        switch (type)
        {
            case PacketType.Session:
                HandleSessionPacket(datagram, source, now);
                break;
            case PacketType.Hello:
                HandleHello(datagram, source, now);
                break;
            default:
                Counters.Drop(DropReason.UnknownType);
                break;
        }
    }

    private void HandleHello(ReadOnlySpan<byte> datagram, in PeerAddress source, long now)
    {
        var closed = _stopRequested || _server.IsStopping ? RejectReason.ShuttingDown
            : _server.IsDraining ? RejectReason.Draining
            : RejectReason.None;
        var outcome = _handshake.Receive(datagram, source, now, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), closed, _outbox.NextDatagram());
        if (outcome.ReplyLength > 0)
        {
            _outbox.Commit(source, outcome.ReplyLength);
        }
        if (!outcome.Admitted)
        {
            return;
        }
        if (outcome.Shard == Index)
        {
            OpenSession(outcome.Admission, now);
        }
        else if (!_directory.TryDeliver(outcome.Shard, outcome.Admission))
        {
            _handshake.Abandon(outcome.Admission);
            Counters.Drop(DropReason.ServerFull);
        }
    }

    private void HandleSessionPacket(Span<byte> datagram, in PeerAddress source, long now)
    {
        var reason = SessionHeader.TryRead(datagram, out var header);
        if (reason != DropReason.None)
        {
            Counters.Drop(reason);
            return;
        }
        if (SessionHeader.ShardOf(header.ConnectionId) != Index && !_sessions.IsMoving(header.ConnectionId))
        {
            Counters.MisroutedSessionPackets++;
        }
        if (!_sessions.TryGet(header.ConnectionId, out var session))
        {
            if (_closedByClient.Contains(header.ConnectionId, source, now))
            {
                Counters.DisconnectRepeats++;
            }
            else if (!TryForward(header.ConnectionId, datagram, source))
            {
                Counters.Drop(DropReason.UnknownSession);
            }
            return;
        }
        if (session.Address != source)
        {
            Counters.Drop(DropReason.AddressMismatch);
            return;
        }
        // Authenticity and replay before anything counts against the session: a forged or replayed
        // packet must not spend the session's rate budget nor switch its id.
        reason = session.Connection.Unseal(header, datagram, out var plainLength);
        if (reason != DropReason.None)
        {
            Counters.Drop(reason);
            return;
        }
        if (!session.Packets.TryTake(_sessionPacketLimit, now))
        {
            Counters.Drop(DropReason.SessionRateLimited);
            return;
        }
        Counters.OwnSessionPackets++;
        if (session.PendingConnectionId != 0 && header.ConnectionId == session.PendingConnectionId)
        {
            // The client switched to the id of this shard: answer under it from now on.
            session.Connection.ChangeId(session.PendingConnectionId);
            session.PendingConnectionId = 0;
        }
        var handler = new SessionMessageHandler(this, session, now);
        var rttSamples = session.Connection.Stats.RttSamples;
        reason = session.Connection.ReceiveUnsealed(header, datagram.Slice(0, plainLength), now, ref handler);
        if (session.Connection.Stats.RttSamples != rttSamples)
        {
            Histograms.RttUs.Record(session.Connection.Stats.SmoothedRttUs);
        }
        if (reason != DropReason.None)
        {
            Counters.Drop(reason);
            return;
        }
        if (session.Connection.IsClosed)
        {
            _closedByClient.Add(header.ConnectionId, source, now);
            CloseSession(session, now, timedOut: false);
            return;
        }
        _outbox.Queue(session, now);
    }

    /// <summary>Runs the ticks that are due; each is timed on its own (a catch-up after a stall runs several, and their sum is not a tick's cost).</summary>
    private long RunTicks(long now)
    {
        var ticks = _simulation.DueTicks(now, out var first);
        var rooms = _rooms.Rooms;
        if (rooms.Length == 0)
        {
            return _simulation.NextTickDueUs;
        }
        for (var tick = first; tick < first + ticks; tick++)
        {
            var started = Stopwatch.GetTimestamp();
            var startedCpu = ThreadCpuClock.NowUs();
            _simulation.RunTick(rooms, tick, _overload.Level, now);
            var wallUs = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            Histograms.TickDurationUs.Record(wallUs);
            var cpuUs = startedCpu >= 0 ? ThreadCpuClock.NowUs() - startedCpu : wallUs;
            if (startedCpu >= 0)
            {
                Histograms.TickCpuUs.Record(cpuUs);
            }
            _overload.ObserveTick(cpuUs, now);
        }
        return _simulation.NextTickDueUs;
    }

    /// <summary>
    /// Time-outs and keep-alives, then the services' timers and the shard's own bookkeeping. A
    /// session times out only when the socket was <paramref name="drained"/> in this loop: then every
    /// datagram that reached the shard before it has been read, and silence is the client's, not a
    /// queue the shard was too slow to empty.
    /// </summary>
    private void RunTimers(long now, bool drained)
    {
        foreach (var session in _sessions.All)
        {
            if (drained && session.Connection.HasTimedOut(now))
            {
                _expired.Add(session);
            }
            else
            {
                _outbox.Queue(session, now);
            }
        }
        foreach (var session in _expired)
        {
            Counters.SessionsTimedOut++;
            CloseSession(session, now, timedOut: true);
        }
        _expired.Clear();
        _handshake.Prune(now);
        _rooms.RunTimers(now);
        _sessions.ExpireMoves(now);
        // Datagrams too long for a receive slot never reach the shard: the socket counts them.
        var truncated = _socket.Counters.TruncatedDatagrams;
        Counters.Drop(DropReason.Truncated, truncated - _truncatedSeen);
        _truncatedSeen = truncated;
        Volatile.Write(ref Counters.AllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
    }

    /// <summary>Opens sessions placed here, installs sessions moving here and handles datagrams forwarded for them.</summary>
    private void DrainMailbox(long now)
    {
        while (_mailbox.Admissions.TryDequeue(out var admission))
        {
            OpenSession(admission, now);
        }
        while (_mailbox.Moves.TryDequeue(out var move))
        {
            ReceiveMove(move, now);
        }
        while (_mailbox.Forwarded.TryDequeue(out var forwarded))
        {
            Span<byte> bytes = forwarded.Bytes;
            HandleSessionPacket(bytes.Slice(0, forwarded.Length), forwarded.Source, now);
        }
    }

    private void OpenSession(in Admission admission, long now)
    {
        _mailbox.ReleaseReservation();
        if (_stopRequested || _sessions.Contains(admission.ConnectionId))
        {
            admission.Keys?.Dispose();
            _directory.SessionClosed(admission.Address);
            return;
        }
        _sessions.Add(_sessionPool.Rent(admission.ConnectionId, admission.Address, _directory.NextPlayerId(), now, admission.Keys, admission.TokenPlayerId));
        _mailbox.SessionAdded();
        Counters.SessionsOpened++;
        admission.Welcome.CopyTo(_outbox.NextDatagram());
        _outbox.Commit(admission.Address, admission.Welcome.Length);
        Counters.WelcomesSent++;
    }

    private void CloseSession(Session session, long now, bool timedOut)
    {
        _rooms.Leave(session, timedOut ? RoomLeaveReason.TimedOut : RoomLeaveReason.Disconnected, now);
        if (_sessions.Remove(session))
        {
            _directory.SessionClosed(session.Address);
            _mailbox.SessionRemoved();
            Counters.SessionsClosed++;
            session.Connection.ReleaseProtection();
            _sessionPool.Return(session);
        }
    }

    /// <summary>Hands the sessions that must move to their new shards; runs after the flush, so nothing here still refers to them.</summary>
    private void RunMoves(long now)
    {
        foreach (var (session, shard, join) in _moves)
        {
            if (!_directory.TryMove(shard, new SessionMove(session, ShardDirectory.NewConnectionId(shard), join)))
            {
                _rooms.MoveFailed(session, join, now);
                continue;
            }
            _sessions.RemoveMovedAway(session, shard, now + MoveGraceUs);
            _mailbox.SessionRemoved();
            Counters.SessionsMovedAway++;
        }
        _moves.Clear();
    }

    /// <summary>
    /// A session moving here: listed under both ids, told the id that steers to this shard (it keeps
    /// sending under the old one until it has heard), then seated in the room it came for.
    /// </summary>
    private void ReceiveMove(in SessionMove move, long now)
    {
        _mailbox.ReleaseReservation();
        var session = move.Session;
        _sessions.AddArrival(session, move.NewConnectionId, now + MoveGraceUs);
        _mailbox.SessionAdded();
        Counters.SessionsMovedIn++;
        Span<byte> message = stackalloc byte[16];
        _output.SendReliable(session, message.Slice(0, RoomMessages.Move(message, move.NewConnectionId)), now);
        _rooms.Arrive(session, move.Join, now);
    }

    /// <summary>A datagram for a session that moved away: pass it to the shard that has it now.</summary>
    private bool TryForward(ulong connectionId, ReadOnlySpan<byte> datagram, in PeerAddress source)
    {
        if (!_sessions.TryGetMovedAway(connectionId, out var shard))
        {
            return false;
        }
        var item = new ForwardedDatagram { Source = source, Length = datagram.Length };
        datagram.CopyTo(item.Bytes);
        if (_directory.TryForward(shard, item))
        {
            Counters.ForwardedDatagrams++;
        }
        else
        {
            Counters.Drop(DropReason.ServerFull);
        }
        return true;
    }

    private void CloseAllSessions(DisconnectReason reason)
    {
        var now = MonotonicClock.NowUs;
        foreach (var session in _sessions.All)
        {
            session.Connection.Close(reason);
            _outbox.Queue(session, now);
        }
        _outbox.Flush(now);
        foreach (var session in _sessions.All)
        {
            Counters.SessionsClosed++;
            session.Connection.ReleaseProtection();
        }
        _sessions.Clear();
        _mailbox.ClearSessions();
    }

    public void Dispose()
    {
        _handshake.Dispose();
        _fleetMoves?.Dispose();
        _receive.Dispose();
        _outbox.Dispose();
        _socket.Dispose();
    }

    /// <summary>What a session's messages do; specialised per call site, no allocation.</summary>
    private readonly struct SessionMessageHandler(Shard shard, Session session, long now) : IMessageHandler
    {
        public void OnMessage(ReadOnlySpan<byte> payload)
        {
            if (shard._options.Echo)
            {
                session.Connection.QueueUnreliable(payload);
            }
        }

        public void OnReliable(ReadOnlySpan<byte> payload) => shard._rooms.Receive(session, payload, now);

        public void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload) => shard._simulation.Receive(session, kind, payload);
    }
}
