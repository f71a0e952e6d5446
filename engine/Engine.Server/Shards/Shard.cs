using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Rooms;
using Engine.Protocol.Sessions;
using Engine.Protocol.Time;
using Engine.Protocol.Wire;
using Engine.Server.Concurrency;
using Engine.Server.Diagnostics;
using Engine.Server.Limits;
using Engine.Server.Sessions;
using Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Engine.Server.Shards;

/// <summary>
/// One shard: one pinned thread, one reuseport socket, its own sessions and buffers. Nothing on
/// the hot path is shared with other shards; new sessions arrive through <see cref="Inbox"/>.
/// </summary>
internal sealed partial class Shard : IDisposable
{
    private readonly GameServer _server;
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly BatchSocket _socket;
    private readonly ReceiveBatch _receive;
    private readonly SendBatch _send;
    private readonly Dictionary<ulong, Session> _sessions = new();
    private readonly List<Session> _flushList = new();
    private readonly List<Session> _expired = new();
    private readonly SessionPool _sessionPool;
    private readonly AddressRateTable _addressLimits;
    private readonly RateLimit _sessionPacketLimit;
    private readonly RateLimit _sessionReliableLimit;
    private readonly RateLimit _guardLimit;
    private TokenBucket _guard;
    private readonly long _timerIntervalUs;
    private Thread? _thread;
    private long _nextTimerUs;
    private long _now;
    private long _truncatedSeen;
    private int _sessionCount;
    private int _reserved;
    private volatile bool _stopRequested;

    public Shard(int index, GameServer server, BatchSocket socket, byte[] cookieSecret, ILogger logger)
    {
        Index = index;
        _server = server;
        _options = server.Options;
        _socket = socket;
        _logger = logger;
        _receive = new ReceiveBatch(_options.BatchSize, ProtocolConstants.MaxDatagram + 1);
        _send = new SendBatch(_options.BatchSize, ProtocolConstants.MaxDatagram);
        _cookies = new HandshakeCookies(cookieSecret);
        _tokenOpener = _options.Insecure ? null : new Protocol.Security.ConnectTokenOpener(_options.ConnectTokenKey, _options.ProtocolId);
        _timerIntervalUs = _options.TimerIntervalMs * 1000L;
        _sessionPool = server.SessionPool;
        _addressLimits = new AddressRateTable(16_384,
            RateLimit.Of(_options.PacketsPerSecondPerAddress, 2 * _options.PacketsPerSecondPerAddress),
            RateLimit.Of(_options.HandshakesPerSecondPerAddress, 2 * _options.HandshakesPerSecondPerAddress));
        _sessionPacketLimit = RateLimit.Of(_options.PacketsPerSecondPerSession, 2 * _options.PacketsPerSecondPerSession);
        _sessionReliableLimit = RateLimit.Of(_options.ReliablePerSecondPerSession, 2 * _options.ReliablePerSecondPerSession);
        // The guard's burst is a tenth of a second of traffic: it reacts fast, and sheds in tiers below.
        _guardLimit = RateLimit.Of(_options.ShardPacketsPerSecond, Math.Max(64, _options.ShardPacketsPerSecond / 10));
        _guard = TokenBucket.Full(_guardLimit, 0);
        Inbox = new BoundedQueue<Admission>(4096);
    }

    public int Index { get; }
    public ShardCounters Counters { get; } = new();

    /// <summary>Tick durations, session RTTs and snapshot sizes, for the metrics' histograms.</summary>
    public ShardHistograms Histograms { get; } = new();
    public BatchSocket Socket => _socket;
    public BoundedQueue<Admission> Inbox { get; }

    /// <summary>Sessions plus admissions on their way here: what placement balances.</summary>
    public int Load => Volatile.Read(ref _sessionCount) + Volatile.Read(ref _reserved);
    public int SessionCount => Volatile.Read(ref _sessionCount);
    public bool IsRunning => _thread is { IsAlive: true };

    public void Reserve() => Interlocked.Increment(ref _reserved);

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = $"engine-shard-{Index}" };
        _thread.Start();
    }

    public void RequestStop() => _stopRequested = true;

    public bool Join(TimeSpan timeout) => _thread is null || _thread.Join(timeout);

    private void Run()
    {
        if (_options.PinThreads)
        {
            var cpu = Index % Environment.ProcessorCount;
            EngineLog.ShardStarted(_logger, Index, ThreadAffinity.TryPinCurrentThread(cpu) ? cpu : -1);
        }
        else
        {
            EngineLog.ShardStarted(_logger, Index, -1);
        }
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
        _nextTimerUs = MonotonicClock.NowUs + _timerIntervalUs;
        while (!_stopRequested)
        {
            var now = MonotonicClock.NowUs;
            _now = now;
            DrainInbox(now);
            DrainHandOvers(now);
            var received = _socket.Receive(_receive);
            for (var i = 0; i < received; i++)
            {
                Handle(_receive.Payload(i), in _receive.Source(i), now);
            }
            if (now >= _nextTimerUs)
            {
                RunTimers(now);
                _nextTimerUs = now + _timerIntervalUs;
            }
            var nextTickUs = RunTicks(now);
            Flush(now);
            if (_pendingMoves.Count > 0)
            {
                RunPendingMoves(now);
            }
            // A batch that did not fill means the queue was empty a moment ago: wait in poll
            // rather than ask recvmmsg again only to hear EAGAIN (one syscall fewer per wake-up).
            if (received < _receive.Capacity)
            {
                var wakeUs = _rooms.Count > 0 ? Math.Min(_nextTimerUs, nextTickUs) : _nextTimerUs;
                var waitMs = (int)Math.Clamp((wakeUs - now + 999) / 1000, 0, 100);
                _socket.WaitReadable(waitMs);
            }
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
        if (!Admit(type, datagram, source, now))
        {
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

    /// <summary>
    /// The shard's load guard and the per-address limit. Over its packet rate the shard sheds the
    /// cheapest traffic first: new handshakes once the guard's bucket is half empty, everything
    /// but established sessions below a quarter, and session packets only when it is empty.
    /// </summary>
    private bool Admit(PacketType type, ReadOnlySpan<byte> datagram, in PeerAddress source, long now)
    {
        if (!_guardLimit.IsUnlimited)
        {
            var level = _guard.Level(_guardLimit, now);
            var shed = type switch
            {
                PacketType.Session => level * _guardLimit.Burst < 1,
                PacketType.Hello when HandshakePackets.IsFirstHello(datagram) => level < 0.5,
                _ => level < 0.25,
            };
            if (shed || !_guard.TryTake(_guardLimit, now))
            {
                Counters.Drop(DropReason.Shed);
                return false;
            }
        }
        if (!_addressLimits.TryTakePacket(source, now))
        {
            Counters.Drop(DropReason.AddressRateLimited);
            return false;
        }
        return true;
    }

    private void HandleSessionPacket(Span<byte> datagram, in PeerAddress source, long now)
    {
        var reason = SessionHeader.TryRead(datagram, out var header);
        if (reason != DropReason.None)
        {
            Counters.Drop(reason);
            return;
        }
        if (SessionHeader.ShardOf(header.ConnectionId) != Index && !_forwards.ContainsKey(header.ConnectionId) && !_aliasExpiry.ContainsKey(header.ConnectionId))
        {
            Counters.MisroutedSessionPackets++;
        }
        if (!_sessions.TryGetValue(header.ConnectionId, out var session))
        {
            if (!TryForward(header.ConnectionId, datagram, source))
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
        reason = session.Connection.Open(header, datagram, out var plainLength);
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
        reason = session.Connection.ReceiveOpened(header, datagram.Slice(0, plainLength), now, ref handler);
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
            RemoveSession(session, now, timedOut: false);
            return;
        }
        QueueFlush(session, now);
    }

    private void RunTimers(long now)
    {
        foreach (var (id, session) in _sessions)
        {
            if (id != session.Connection.Id)
            {
                continue; // an alias kept for a session that moved here
            }
            if (session.Connection.HasTimedOut(now))
            {
                _expired.Add(session);
            }
            else
            {
                QueueFlush(session, now);
            }
        }
        foreach (var session in _expired)
        {
            Counters.SessionsTimedOut++;
            RemoveSession(session, now, timedOut: true);
        }
        _expired.Clear();
        PruneRecentAdmissions(now);
        // Datagrams too long for a receive slot never reach the shard: the socket counts them.
        var truncated = _socket.Counters.TruncatedDatagrams;
        Counters.Drop(DropReason.Truncated, truncated - _truncatedSeen);
        _truncatedSeen = truncated;
        RunRoomTimers(now);
        Volatile.Write(ref Counters.AllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
    }

    private void QueueFlush(Session session, long now)
    {
        if (!session.QueuedForFlush && session.Connection.HasOutput(now))
        {
            session.QueuedForFlush = true;
            _flushList.Add(session);
        }
    }

    /// <summary>Writes every queued session's packets into the send batch and hands it to the kernel.</summary>
    private void Flush(long now)
    {
        foreach (var session in _flushList)
        {
            session.QueuedForFlush = false;
            FlushSession(session, now);
        }
        _flushList.Clear();
        SendQueued();
    }

    /// <summary>Moves one session's due packets into the send batch.</summary>
    private void FlushSession(Session session, long now)
    {
        while (true)
        {
            var length = session.Connection.PollSend(NextDatagram(), now);
            if (length == 0)
            {
                return;
            }
            CommitDatagram(session.Address, length);
        }
    }

    private Span<byte> NextDatagram()
    {
        if (_send.IsFull)
        {
            SendQueued();
        }
        return _send.NextBuffer();
    }

    private void CommitDatagram(in PeerAddress destination, int length)
    {
        _send.Commit(destination, length);
        Counters.BytesOut += length;
    }

    private void SendQueued()
    {
        if (_send.Count > 0)
        {
            Counters.DatagramsOut += _socket.Send(_send);
        }
    }

    private void RemoveSession(Session session, long now, bool timedOut)
    {
        LeaveRoom(session, timedOut ? RoomLeaveReason.TimedOut : RoomLeaveReason.Disconnected, now, keepSlot: timedOut);
        if (session.PreviousConnectionId != 0)
        {
            _sessions.Remove(session.PreviousConnectionId);
        }
        if (session.PendingConnectionId != 0)
        {
            _sessions.Remove(session.PendingConnectionId);
        }
        if (_sessions.Remove(session.Connection.Id))
        {
            _server.RemoveAddressSession(session.Address);
            Interlocked.Decrement(ref _sessionCount);
            Counters.SessionsClosed++;
            session.Connection.ReleaseProtection();
            _sessionPool.Return(session);
        }
    }

    private void CloseAllSessions(DisconnectReason reason)
    {
        var now = MonotonicClock.NowUs;
        foreach (var session in _sessions.Values)
        {
            session.Connection.Close(reason);
            QueueFlush(session, now);
        }
        Flush(now);
        foreach (var (id, session) in _sessions)
        {
            if (id == session.Connection.Id)
            {
                Counters.SessionsClosed++;
                session.Connection.ReleaseProtection();
            }
        }
        _sessions.Clear();
        Volatile.Write(ref _sessionCount, 0);
    }

    public void Dispose()
    {
        _tokenOpener?.Dispose();
        _receive.Dispose();
        _send.Dispose();
        _socket.Dispose();
    }

    /// <summary>What a session's messages do; specialised per call site, no allocation.</summary>
    private readonly struct SessionMessageHandler : IMessageHandler
    {
        private readonly Shard _shard;
        private readonly Session _session;
        private readonly long _now;

        public SessionMessageHandler(Shard shard, Session session, long now)
        {
            _shard = shard;
            _session = session;
            _now = now;
        }

        public void OnMessage(ReadOnlySpan<byte> payload)
        {
            if (_shard._options.Echo)
            {
                _session.Connection.QueueUnreliable(payload);
            }
        }

        public void OnReliable(ReadOnlySpan<byte> payload) => _shard.HandleReliable(_session, payload, _now);

        public void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload) => _shard.HandleGameMessage(_session, kind, payload);
    }
}
