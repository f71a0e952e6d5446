using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;

namespace Engine.Protocol;

/// <summary>
/// The client end of a connection, sans-IO: feed it datagrams from the server and a time, ask it
/// for datagrams to send. The client SDK drives one over a socket; the load test drives thousands
/// over a few batch sockets. Not thread-safe.
/// </summary>
public sealed class ClientConnection
{
    private const uint MinTimeoutMs = 100;
    private const uint MaxTimeoutMs = 600_000;
    private const int MinPingIntervalMs = 10;
    private const int MaxPingIntervalMs = 60_000;

    private readonly ClientConnectionOptions _options;
    private readonly byte[] _cookie = new byte[ProtocolConstants.CookieSize];
    private ulong _nonce;
    private bool _hasCookie;
    private long _connectStartedUs;
    private long _nextHelloUs;
    private Connection? _connection;
    private long _droppedPackets;
    private ulong _previousId;
    private ConnectToken? _token;
    private PacketProtection? _protection;
    private long _connectTimeoutUs;

    public ClientConnection(ClientConnectionOptions? options = null)
    {
        _options = options ?? ClientConnectionOptions.Default;
    }

    public ClientState State { get; private set; }
    public DisconnectReason DisconnectReason { get; private set; }
    public RejectReason RejectReason { get; private set; }

    /// <summary>The server-assigned id; 0 until connected.</summary>
    public ulong ConnectionId => _connection?.Id ?? 0;

    /// <summary>Identifies this attempt in the handshake replies.</summary>
    public ulong Nonce => _nonce;

    /// <summary>Datagrams from the server this end ignored (wrong nonce, unexpected, malformed).</summary>
    public long DroppedPackets => _droppedPackets;

    public bool IsConnected => State == ClientState.Connected;
    public Connection? Session => _connection;

    public ConnectionStats Stats => _connection is null ? default : _connection.Stats;

    /// <summary>The token this connection presents; null for an insecure connection.</summary>
    public ConnectToken? Token => _token;

    /// <summary>Starts (or restarts) an insecure handshake: plaintext packets, for servers started with --insecure.</summary>
    public void Connect(long nowUs) => Start(nowUs, null);

    /// <summary>
    /// Starts a secure handshake with a token from the game's backend: the hello carries its sealed
    /// part, the welcome must be authenticated with its keys and every packet is sealed with them.
    /// A token admits one session; connect again with a fresh token.
    /// </summary>
    public void Connect(long nowUs, ConnectToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        Start(nowUs, token);
    }

    private void Start(long nowUs, ConnectToken? token)
    {
        // The previous attempt's keys (held here, and by its connection once welcomed); disposing twice is harmless.
        _protection?.Dispose();
        _connection?.ReleaseProtection();
        _token = token;
        _protection = token is null ? null : PacketProtection.ForClient(token.ClientToServerKey, token.ServerToClientKey);
        _connectTimeoutUs = token is null ? _options.ConnectTimeoutUs : Math.Min(_options.ConnectTimeoutUs, token.ConnectTimeoutSeconds * 1_000_000L);
        _nonce = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8));
        _hasCookie = false;
        _connection = null;
        _previousId = 0;
        DisconnectReason = DisconnectReason.None;
        RejectReason = RejectReason.None;
        State = ClientState.SendingHello;
        _connectStartedUs = nowUs;
        _nextHelloUs = nowUs;
    }

    /// <summary>Closes the session; the disconnect packets still come out of <see cref="PollSend"/>.</summary>
    public void Disconnect(DisconnectReason reason = DisconnectReason.ClientRequest)
    {
        if (State == ClientState.Connected)
        {
            _connection!.Close(reason);
        }
        Finish(reason);
    }

    public bool SendUnreliable(ReadOnlySpan<byte> payload) => State == ClientState.Connected && _connection!.QueueUnreliable(payload);

    /// <summary>Queues an unreliable game message (<see cref="MessageKind.Input"/>) for the next packet; false when not connected or the packet is full.</summary>
    public bool SendGameMessage(MessageKind kind, ReadOnlySpan<byte> payload) => State == ClientState.Connected && _connection!.QueueUnreliable(kind, payload);

    /// <summary>Queues a reliable ordered message (up to 64 KiB); false when not connected or the send window is full.</summary>
    public bool SendReliable(ReadOnlySpan<byte> payload) => State == ClientState.Connected && _connection!.QueueReliable(payload);

    /// <summary>Takes a datagram from the server; a sealed session packet is decrypted in place.</summary>
    public void Receive<THandler>(Span<byte> datagram, long nowUs, ref THandler handler)
        where THandler : struct, IMessageHandler
    {
        if (!Accept(datagram, nowUs, ref handler))
        {
            _droppedPackets++;
        }
    }

    private bool Accept<THandler>(Span<byte> datagram, long nowUs, ref THandler handler)
        where THandler : struct, IMessageHandler
    {
        if (datagram.IsEmpty)
        {
            return false;
        }
        switch ((PacketType)datagram[0])
        {
            case PacketType.Challenge when State is ClientState.SendingHello or ClientState.SendingCookie:
                if (HandshakePackets.TryReadChallenge(datagram, out var nonce, out var cookie) != DropReason.None || nonce != _nonce)
                {
                    return false;
                }
                cookie.CopyTo(_cookie);
                _hasCookie = true;
                State = ClientState.SendingCookie;
                _nextHelloUs = nowUs;
                return true;
            case PacketType.Welcome when State is ClientState.SendingHello or ClientState.SendingCookie:
                if (HandshakePackets.TryReadWelcome(datagram, out var welcome) != DropReason.None || welcome.Nonce != _nonce)
                {
                    return false;
                }
                // A secure client takes only a welcome sealed with its token's keys: a forged one cannot hijack it.
                if (_protection is null ? datagram.Length != ProtocolConstants.WelcomeSize : !_protection.VerifyWelcome(datagram, _nonce))
                {
                    return false;
                }
                // Timers from the wire are clamped to what a server may configure: a ping interval of
                // zero would have PollSend produce pings forever.
                _connection = new Connection(welcome.ConnectionId, new ConnectionOptions
                {
                    TimeoutUs = Math.Clamp(welcome.TimeoutMs, MinTimeoutMs, MaxTimeoutMs) * 1000L,
                    PingIntervalUs = Math.Clamp((int)welcome.PingIntervalMs, MinPingIntervalMs, MaxPingIntervalMs) * 1000L,
                    MaxPayload = Math.Clamp(welcome.MaxPayload, ProtocolConstants.MinMaxPayload, _options.MaxPayload),
                    Sealed = _protection is not null,
                }, nowUs, _protection);
                State = ClientState.Connected;
                return true;
            case PacketType.Reject when State is ClientState.SendingHello or ClientState.SendingCookie:
                if (HandshakePackets.TryReadReject(datagram, out var rejectNonce, out var reason) != DropReason.None || rejectNonce != _nonce)
                {
                    return false;
                }
                RejectReason = reason;
                Finish(DisconnectReason.Rejected);
                return true;
            default:
                if (State != ClientState.Connected
                    || SessionHeader.TryRead(datagram, out var header) != DropReason.None
                    || (header.ConnectionId != _connection!.Id && (header.ConnectionId != _previousId || _previousId == 0))
                    || _connection.Receive(header, datagram, nowUs, ref handler) != DropReason.None)
                {
                    return false;
                }
                if (_connection.IsClosed)
                {
                    Finish(_connection.CloseReason);
                }
                return true;
        }
    }

    /// <summary>
    /// The server moved this session to another shard: from now on packets carry the new id (so the
    /// kernel steers them there), while packets still under the old id keep being accepted.
    /// </summary>
    public void Move(ulong newConnectionId)
    {
        if (_connection is null || newConnectionId == _connection.Id)
        {
            return;
        }
        _previousId = _connection.Id;
        _connection.ChangeId(newConnectionId);
    }

    /// <summary>Runs the timers: hello resends, connect timeout, session timeout.</summary>
    public void Update(long nowUs)
    {
        switch (State)
        {
            case ClientState.SendingHello or ClientState.SendingCookie when nowUs - _connectStartedUs > _connectTimeoutUs:
                Finish(DisconnectReason.ConnectTimeout);
                break;
            case ClientState.Connected when _connection!.HasTimedOut(nowUs):
                _connection.Close(DisconnectReason.Timeout);
                Finish(DisconnectReason.Timeout);
                break;
        }
    }

    /// <summary>Writes the next datagram to send, or returns 0. Call until it returns 0.</summary>
    public int PollSend(Span<byte> destination, long nowUs)
    {
        switch (State)
        {
            case ClientState.SendingHello or ClientState.SendingCookie when nowUs >= _nextHelloUs:
                _nextHelloUs = nowUs + _options.HelloResendUs;
                return HandshakePackets.WriteHello(destination, _nonce, _hasCookie ? _cookie : default, token: _token);
            case ClientState.Connected or ClientState.Disconnected when _connection is not null:
                return _connection.PollSend(destination, nowUs);
            default:
                return 0;
        }
    }

    private void Finish(DisconnectReason reason)
    {
        if (State == ClientState.Disconnected)
        {
            return;
        }
        State = ClientState.Disconnected;
        DisconnectReason = reason;
    }
}
