using System.Net;
using System.Net.Sockets;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Rooms;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Protocol.Time;
using Engine.Protocol.Wire;

namespace Engine.Client;

/// <summary>Called with each application message; the span is valid only during the call.</summary>
public delegate void MessageReceivedHandler(ReadOnlySpan<byte> payload);

/// <summary>
/// The game client's connection to an Engine server over a plain UDP socket. Nothing happens in
/// the background: call <see cref="Update"/> once per frame; it reads what has arrived, runs the
/// timers and sends what is due, without blocking. The protocol itself is the sans-IO
/// <see cref="ClientConnection"/>, the same one the load test multiplexes by the thousand.
/// </summary>
public sealed partial class EngineClient : IDisposable
{
    private readonly ClientConnection _connection;
    private readonly byte[] _receiveBuffer = new byte[ProtocolConstants.MaxDatagram + 1];
    private readonly byte[] _sendBuffer = new byte[ProtocolConstants.MaxDatagram];
    private byte[] _reliableBuffer = new byte[256];
    private Socket? _socket;
    private ClientState _reportedState;

    public EngineClient(ClientConnectionOptions? options = null)
    {
        _connection = new ClientConnection(options);
    }

    public event Action? Connected;
    public event Action<DisconnectReason>? Disconnected;
    public event MessageReceivedHandler? MessageReceived;

    /// <summary>Each reliable message, exactly once and in the order the server sent them.</summary>
    public event MessageReceivedHandler? ReliableMessageReceived;

    public ClientState State => _connection.State;
    public bool IsConnected => _connection.IsConnected;
    public DisconnectReason DisconnectReason => _connection.DisconnectReason;
    public RejectReason RejectReason => _connection.RejectReason;
    public ulong ConnectionId => _connection.ConnectionId;
    /// <summary>The server this client talks to: after a move to another node of the fleet, that node's address.</summary>
    public IPEndPoint? RemoteEndPoint { get; private set; }

    /// <summary>Smoothed round-trip time to the server; zero until the first pong.</summary>
    public TimeSpan Ping => TimeSpan.FromMicroseconds(_connection.Stats.SmoothedRttUs);

    public ConnectionStats Stats => _connection.Stats;

    /// <summary>
    /// Starts connecting without a token, in plaintext: only servers started with --insecure accept it.
    /// <see cref="Connected"/> fires from a later <see cref="Update"/>.
    /// </summary>
    public void Connect(IPEndPoint server)
    {
        ArgumentNullException.ThrowIfNull(server);
        OpenSocket(server);
        _connection.Connect(MonotonicClock.NowUs);
        _reportedState = _connection.State;
        Update();
    }

    /// <summary>
    /// Starts connecting with a connect token from the game's backend, to the first server it lists:
    /// the server checks the token, and every packet is sealed with its keys. A token admits one
    /// session; ask the backend for a new one to connect again.
    /// </summary>
    public void Connect(ConnectToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        OpenSocket(token.ServerAddresses[0]);
        _connection.Connect(MonotonicClock.NowUs, token);
        _reportedState = _connection.State;
        Update();
    }

    /// <summary>Connects with a token in its base64 text form (as <c>engine token</c> prints it).</summary>
    public void Connect(string token) => Connect(ConnectToken.Parse(token));

    private void OpenSocket(IPEndPoint server)
    {
        _socket?.Dispose();
        _socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        _socket.Connect(server);
        RemoteEndPoint = server;
    }

    public void Connect(string host, int port)
    {
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host)[0];
        Connect(new IPEndPoint(address, port));
    }

    /// <summary>Queues an unreliable message for the next packet; false when not connected or the packet is full.</summary>
    public bool Send(ReadOnlySpan<byte> payload) => _connection.SendUnreliable(payload);

    /// <summary>Queues a reliable ordered message (up to 64 KiB); false when not connected or the send window is full.</summary>
    public bool SendReliable(ReadOnlySpan<byte> payload)
    {
        // The first byte of a reliable message says whose it is: 0 for the game's own bytes.
        if (_reliableBuffer.Length < payload.Length + 1)
        {
            _reliableBuffer = new byte[payload.Length + 1];
        }
        _reliableBuffer[0] = (byte)RoomOp.Application;
        payload.CopyTo(_reliableBuffer.AsSpan(1));
        return _connection.SendReliable(_reliableBuffer.AsSpan(0, payload.Length + 1));
    }

    /// <summary>The sans-IO state machine underneath, for tests that act as a misbehaving client.</summary>
    internal ClientConnection Connection => _connection;

    /// <summary>Sends bytes as they are from this client's socket (tests replay and forge packets with it).</summary>
    internal void SendRaw(ReadOnlySpan<byte> datagram) => _socket?.Send(datagram, SocketFlags.None);

    /// <summary>Sends any queued messages now instead of at the next <see cref="Update"/>.</summary>
    public void Flush() => SendDue(MonotonicClock.NowUs);

    public void Disconnect()
    {
        _connection.Disconnect();
        Flush();
        Report();
    }

    /// <summary>Reads every datagram waiting, runs the timers and sends what is due. Never blocks.</summary>
    public void Update()
    {
        if (_socket is null)
        {
            return;
        }
        var now = MonotonicClock.NowUs;
        var handler = new Dispatcher(this);
        while (_socket.Available > 0)
        {
            int length;
            try
            {
                length = _socket.Receive(_receiveBuffer, SocketFlags.None);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.WouldBlock)
            {
                // An ICMP error from an earlier send; the timeout decides whether the server is gone.
                continue;
            }
            if (_simulated is not null)
            {
                _simulated.Incoming.Send(_receiveBuffer.AsSpan(0, length), now);
                continue;
            }
            _connection.Receive(_receiveBuffer.AsSpan(0, length), now, ref handler);
            Report();
            FollowRedirect(now);
        }
        ReceiveSimulated(now, ref handler);
        FollowRedirect(now);
        _connection.Update(now);
        SendDue(now);
        Report();
    }

    /// <summary>Calls <see cref="Update"/> until connected, refused or out of time.</summary>
    public bool WaitUntilConnected(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_connection.State is ClientState.SendingHello or ClientState.SendingCookie && DateTime.UtcNow < deadline)
        {
            Update();
            if (!IsConnected)
            {
                _socket?.Poll(1000, SelectMode.SelectRead);
            }
        }
        return IsConnected;
    }

    private void SendDue(long now)
    {
        if (_socket is null)
        {
            return;
        }
        while (true)
        {
            var length = _connection.PollSend(_sendBuffer, now);
            if (length == 0)
            {
                break;
            }
            if (_simulated is not null)
            {
                _simulated.Outgoing.Send(_sendBuffer.AsSpan(0, length), now);
                continue;
            }
            Transmit(_socket, _sendBuffer.AsSpan(0, length));
        }
        SendSimulated(_socket, now);
    }

    private static void Transmit(Socket socket, ReadOnlySpan<byte> datagram)
    {
        try
        {
            socket.Send(datagram, SocketFlags.None);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.WouldBlock or SocketError.NoBufferSpaceAvailable)
        {
            // UDP: a lost datagram is the protocol's business, not an error.
        }
    }

    private void Report()
    {
        var state = _connection.State;
        if (state == _reportedState)
        {
            return;
        }
        _reportedState = state;
        if (_hop is { } hop && state != ClientState.SendingCookie)
        {
            ReportHop(hop);
            if (state == ClientState.Connected)
            {
                return;
            }
        }
        if (state == ClientState.Connected)
        {
            Connected?.Invoke();
        }
        else if (state == ClientState.Disconnected)
        {
            FailPendingRequests();
            Disconnected?.Invoke(_connection.DisconnectReason);
        }
    }

    public void Dispose()
    {
        if (IsConnected)
        {
            Disconnect();
        }
        _socket?.Dispose();
        _socket = null;
    }

    private readonly struct Dispatcher(EngineClient client) : IMessageHandler
    {
        public void OnMessage(ReadOnlySpan<byte> payload) => client.MessageReceived?.Invoke(payload);

        public void OnReliable(ReadOnlySpan<byte> payload) => client.OnReliable(payload);

        public void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload) => client.OnGameMessage(kind, payload);
    }
}
