using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LiteNetLib;

namespace Engine.Benchmarks.PingPong.LiteNet;

/// <summary>
/// N LiteNetLib clients, one NetManager each (a LiteNetLib client is a NetManager with one
/// peer), all in manual mode and driven by the calling thread: per pass every manager gets
/// PollEvents (receive and dispatch; a reply sends the next ping) and ManualUpdate (flush
/// and timers). When a whole pass received nothing the thread waits in poll(2) on all the
/// sockets, so an idle client does not steal the server's core.
/// </summary>
internal sealed class LiteNetLibClients : IPingPongClients
{
    private readonly IPEndPoint _server;
    private readonly int _payloadSize;
    private readonly PollableNetManager[] _managers;
    private readonly Listener[] _listeners;
    private readonly List<Socket> _readable;
    private readonly byte[] _payload;
    private long _lastUpdate;
    private RoundTripRecorder? _recorder;
    private int _received;

    public LiteNetLibClients(IPEndPoint server, int clients, int payloadSize)
    {
        _server = server;
        _payloadSize = payloadSize;
        _managers = new PollableNetManager[clients];
        _listeners = new Listener[clients];
        _readable = new List<Socket>(clients);
        _payload = new byte[payloadSize];
    }

    public string Description => $"{_managers.Length} LiteNetLib NetManagers in manual mode (PollEvents + ManualUpdate), one thread";

    public int SourceAddresses => _managers.Length;

    public int Disconnected => _managers.Length - CountConnected();

    public void Connect(TimeSpan timeout)
    {
        for (int i = 0; i < _managers.Length; i++)
        {
            _listeners[i] = new Listener(this);
            var m = new PollableNetManager(_listeners[i])
            {
                AutoRecycle = true,
                IPv6Enabled = false,
                DisconnectTimeout = 15_000,
            };
            if (!m.StartInManualMode(IPAddress.Loopback, IPAddress.IPv6Loopback, 0))
                throw new InvalidOperationException("LiteNetLib client could not bind a socket");
            _managers[i] = m;
            _listeners[i].Peer = m.Connect(_server, LiteNetLibEchoServer.ConnectionKey);
        }

        var sw = Stopwatch.StartNew();
        _lastUpdate = Stopwatch.GetTimestamp();
        while (CountConnected() < _managers.Length)
        {
            if (sw.Elapsed > timeout)
                throw new TimeoutException($"LiteNetLib: {CountConnected()} of {_managers.Length} clients connected after {timeout.TotalSeconds:0} s");
            Pass(Stopwatch.GetTimestamp());
            if (_received == 0)
                Thread.Sleep(1);
        }
    }

    private int CountConnected()
    {
        int n = 0;
        foreach (Listener l in _listeners)
            n += l.Connected ? 1 : 0;
        return n;
    }

    public void Run(RoundTripRecorder recorder, ManualResetEventSlim stop)
    {
        _recorder = recorder;
        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < _managers.Length; i++)
            SendPing(i, now);

        long lastTimeoutScan = now;
        while (!stop.IsSet)
        {
            now = Stopwatch.GetTimestamp();
            Pass(now);
            if (now - lastTimeoutScan > Stopwatch.Frequency / 10)
            {
                lastTimeoutScan = now;
                for (int i = 0; i < _managers.Length; i++)
                {
                    if (recorder.TimedOut(i, now))
                        SendPing(i, now);
                }
            }
            if (_received == 0)
                WaitAnyReadable(1000);
        }
    }

    private void Pass(long now)
    {
        _received = 0;
        float elapsedMs = (float)Stopwatch.GetElapsedTime(_lastUpdate, now).TotalMilliseconds;
        _lastUpdate = now;
        foreach (PollableNetManager m in _managers)
        {
            m.PollEvents();
            m.ManualUpdate(elapsedMs);
        }
    }

    private void WaitAnyReadable(int microseconds)
    {
        _readable.Clear();
        foreach (PollableNetManager m in _managers)
        {
            if (m.Socket is { } s)
                _readable.Add(s);
        }
        Socket.Select(_readable, null, null, microseconds);
    }

    private void SendPing(int client, long now)
    {
        if (_listeners[client].Peer is not { ConnectionState: ConnectionState.Connected } peer)
            return;
        _recorder!.BeginPing(client, _payload, now);
        peer.Send(_payload, 0, DeliveryMethod.Unreliable);
    }

    private void OnReply(NetPacketReader reader)
    {
        _received++;
        if (_recorder is null)
            return;
        long now = Stopwatch.GetTimestamp();
        int client = _recorder.Complete(reader.GetRemainingBytesSpan(), now);
        if (client >= 0)
            SendPing(client, now);
    }

    public void Dispose()
    {
        foreach (PollableNetManager? m in _managers)
            m?.Stop(sendDisconnectMessages: false);
    }

    private sealed class Listener(LiteNetLibClients owner) : INetEventListener
    {
        public NetPeer? Peer { get; set; }
        public bool Connected { get; private set; }

        public void OnPeerConnected(NetPeer peer)
        {
            Peer = peer;
            Connected = true;
        }

        public void OnPeerDisconnected(NetPeer peer, DisconnectInfo disconnectInfo) => Connected = false;

        public void OnNetworkReceive(NetPeer peer, NetPacketReader reader, byte channelNumber, DeliveryMethod deliveryMethod) =>
            owner.OnReply(reader);

        public void OnNetworkError(IPEndPoint endPoint, SocketError socketError)
        {
        }

        public void OnNetworkReceiveUnconnected(IPEndPoint remoteEndPoint, NetPacketReader reader, UnconnectedMessageType messageType)
        {
        }

        public void OnNetworkLatencyUpdate(NetPeer peer, int latency)
        {
        }

        public void OnConnectionRequest(ConnectionRequest request) => request.Reject();

        public void OnMessageDelivered(NetPeer peer, object userData)
        {
        }

        public void OnNtpResponse(LiteNetLib.Utils.NtpPacket packet)
        {
        }

        public void OnPeerAddressChanged(NetPeer peer, IPEndPoint previousAddress)
        {
        }
    }
}
