using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;

namespace Engine.Benchmarks.PingPong.Batch;

/// <summary>
/// N engine clients — sans-IO <see cref="ClientConnection"/>s — multiplexed by one thread
/// over a few batch sockets. Every datagram on a socket comes from the one server address,
/// so replies are routed to their connection by what is in the packet:
/// a session packet ((b0 &amp; 0x1F) == 0x10) by its connection id (bytes 1..8, LE), looked up in
/// a dictionary filled when a client reaches Connected; a handshake reply (challenge,
/// welcome, reject) by the client nonce it echoes, looked up in a dictionary filled at
/// Connect. Both lookups are exact, so all clients can handshake at once.
/// </summary>
internal sealed class EngineClients : IPingPongClients
{
    private static readonly double s_usPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly ClientSocketSet _sockets;
    private readonly ClientConnection[] _clients;
    private readonly Dictionary<ulong, int> _byConnectionId;
    private readonly Dictionary<ulong, int> _byNonce;
    private readonly int[] _dirty;
    private readonly bool[] _isDirty;
    private readonly byte[] _payload;
    private int _dirtyCount;
    private int _completed = -1;
    private RoundTripRecorder? _recorder;

    private readonly IPEndPoint _server;
    private readonly byte[]? _tokenKey;

    /// <param name="tokenKey">The engine's token key: each client connects with its own token; null for an insecure engine.</param>
    public EngineClients(IPEndPoint server, int clients, int payloadSize, int sockets, byte[]? tokenKey)
    {
        _server = server;
        _tokenKey = tokenKey;
        _sockets = new ClientSocketSet(server, sockets);
        _clients = new ClientConnection[clients];
        _byConnectionId = new Dictionary<ulong, int>(clients);
        _byNonce = new Dictionary<ulong, int>(clients);
        _dirty = new int[clients];
        _isDirty = new bool[clients];
        _payload = new byte[payloadSize];
        for (int i = 0; i < clients; i++)
            _clients[i] = new ClientConnection();
    }

    public long Unrouted { get; private set; }

    public string Description => $"{_clients.Length} engine ClientConnections over {_sockets.Count} BatchSockets (recvmmsg/sendmmsg), one thread";

    public int SourceAddresses => _sockets.Count;

    public int Disconnected => _clients.Count(c => c.State != ClientState.Connected);

    private static long NowUs(long ticks) => (long)(ticks * s_usPerTick);

    public void Connect(TimeSpan timeout)
    {
        long nowTicks = Stopwatch.GetTimestamp();
        for (int i = 0; i < _clients.Length; i++)
            StartConnect(i, NowUs(nowTicks));

        var sw = Stopwatch.StartNew();
        long lastTimers = 0;
        int connected;
        while ((connected = _byConnectionId.Count) < _clients.Length)
        {
            if (sw.Elapsed > timeout)
                throw new TimeoutException($"engine: {connected} of {_clients.Length} clients connected after {timeout.TotalSeconds:0} s ({DescribeStates()})");
            nowTicks = Stopwatch.GetTimestamp();
            bool any = ReceiveAll(nowTicks);
            if (nowTicks - lastTimers > Stopwatch.Frequency / 100)
            {
                lastTimers = nowTicks;
                RunTimers(nowTicks, restartFailed: true);
            }
            FlushDirty(NowUs(nowTicks));
            _sockets.Idle(any);
        }
    }

    private void StartConnect(int client, long nowUs)
    {
        ClientConnection c = _clients[client];
        if (c.Nonce != 0)
            _byNonce.Remove(c.Nonce);
        if (_tokenKey is null)
        {
            c.Connect(nowUs);
        }
        else
        {
            c.Connect(nowUs, ConnectToken.Issue(_tokenKey, (ulong)client + 1, [_server], TimeSpan.FromMinutes(5)));
        }
        _byNonce[c.Nonce] = client;
        MarkDirty(client);
    }

    private string DescribeStates()
    {
        var counts = new Dictionary<string, int>();
        foreach (ClientConnection c in _clients)
        {
            string key = c.State == ClientState.Disconnected ? $"Disconnected({c.DisconnectReason}/{c.RejectReason})" : c.State.ToString();
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}"));
    }

    public void Run(RoundTripRecorder recorder, ManualResetEventSlim stop)
    {
        _recorder = recorder;
        long nowTicks = Stopwatch.GetTimestamp();
        for (int i = 0; i < _clients.Length; i++)
            Ping(i, nowTicks);
        FlushDirty(NowUs(nowTicks));

        long lastTimers = nowTicks;
        long lastLossScan = nowTicks;
        while (!stop.IsSet)
        {
            nowTicks = Stopwatch.GetTimestamp();
            bool any = ReceiveAll(nowTicks);
            // Keep-alives, acks and session timeouts; a few ms granularity is plenty.
            if (nowTicks - lastTimers > Stopwatch.Frequency / 200)
            {
                lastTimers = nowTicks;
                RunTimers(nowTicks, restartFailed: false);
            }
            if (nowTicks - lastLossScan > Stopwatch.Frequency / 10)
            {
                lastLossScan = nowTicks;
                for (int i = 0; i < _clients.Length; i++)
                {
                    if (recorder.TimedOut(i, nowTicks))
                        Ping(i, nowTicks);
                }
            }
            FlushDirty(NowUs(nowTicks));
            _sockets.Idle(any);
        }
    }

    private bool ReceiveAll(long nowTicks)
    {
        long nowUs = NowUs(nowTicks);
        bool any = false;
        int ready = _sockets.WaitReadable(0);
        for (int r = 0; r < ready; r++)
        {
            int s = _sockets.ReadySocket(r);
            int n;
            while ((n = _sockets.Receive(s)) > 0)
            {
                any = true;
                var batch = _sockets.Received(s);
                for (int i = 0; i < n; i++)
                    Deliver(batch.Payload(i), nowTicks, nowUs);
                if (n < ClientSocketSet.BatchCapacity)
                    break;
            }
        }
        return any;
    }

    private void Deliver(Span<byte> datagram, long nowTicks, long nowUs)
    {
        int client = Route(datagram);
        if (client < 0)
        {
            Unrouted++;
            return;
        }
        ClientConnection c = _clients[client];
        bool wasConnected = c.State == ClientState.Connected;
        var handler = new EchoHandler(this, nowTicks);
        c.Receive(datagram, nowUs, ref handler);
        if (!wasConnected && c.State == ClientState.Connected)
        {
            _byNonce.Remove(c.Nonce);
            _byConnectionId[c.ConnectionId] = client;
        }
        // Acks (and the next ping, queued by the handler) go out with this pass's flush.
        MarkDirty(client);
        if (_completed >= 0)
        {
            int done = _completed;
            _completed = -1;
            Ping(done, nowTicks);
        }
    }

    private int Route(ReadOnlySpan<byte> datagram) => ClientRouting.Read(datagram, out ulong key) switch
    {
        RouteKey.ConnectionId => _byConnectionId.TryGetValue(key, out int c) ? c : -1,
        RouteKey.Nonce => _byNonce.TryGetValue(key, out int client) ? client : -1,
        _ => -1,
    };

    private void RunTimers(long nowTicks, bool restartFailed)
    {
        long nowUs = NowUs(nowTicks);
        for (int i = 0; i < _clients.Length; i++)
        {
            ClientConnection c = _clients[i];
            c.Update(nowUs);
            if (c.State == ClientState.Disconnected)
            {
                if (restartFailed)
                {
                    _byConnectionId.Remove(c.ConnectionId);
                    StartConnect(i, nowUs);
                }
                continue;
            }
            if (c.State != ClientState.Connected || c.Session is not { } session || session.HasOutput(nowUs))
                MarkDirty(i);
        }
    }

    private void Ping(int client, long nowTicks)
    {
        if (_recorder is null || _clients[client].State != ClientState.Connected)
            return;
        _recorder.BeginPing(client, _payload, nowTicks);
        _clients[client].SendUnreliable(_payload);
        MarkDirty(client);
    }

    private void MarkDirty(int client)
    {
        if (_isDirty[client])
            return;
        _isDirty[client] = true;
        _dirty[_dirtyCount++] = client;
    }

    private void FlushDirty(long nowUs)
    {
        for (int d = 0; d < _dirtyCount; d++)
        {
            int client = _dirty[d];
            _isDirty[client] = false;
            ClientConnection c = _clients[client];
            int socket = _sockets.SocketOf(client);
            int length;
            while ((length = c.PollSend(_sockets.NextSendBuffer(socket), nowUs)) > 0)
                _sockets.CommitSend(socket, length);
        }
        _dirtyCount = 0;
        _sockets.Flush();
    }

    public void Dispose() => _sockets.Dispose();

    /// <summary>Receives the echoed pings; the completed client is pinged again after Receive returns.</summary>
    private readonly struct EchoHandler(EngineClients owner, long nowTicks) : IMessageHandler
    {
        public void OnMessage(ReadOnlySpan<byte> payload)
        {
            if (owner._recorder is { } recorder)
            {
                int client = recorder.Complete(payload, nowTicks);
                if (client >= 0)
                    owner._completed = client;
            }
        }

        // The echo server only returns unreliable messages; nothing else is sent to it.
        public void OnReliable(ReadOnlySpan<byte> payload)
        {
        }

        public void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload)
        {
        }
    }
}
