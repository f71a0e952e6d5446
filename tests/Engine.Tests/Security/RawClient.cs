using System.Net;
using System.Net.Sockets;
using Engine.Protocol;
using Engine.Protocol.Security;
using Engine.Protocol.Time;
using Engine.Protocol.Wire;
using Engine.Tests.Protocol;

namespace Engine.Tests.Security;

/// <summary>
/// A sans-IO client on its own UDP socket that may talk to any endpoint (the SDK always goes to the
/// token's first address), and that lets a test see every datagram the server sent back.
/// </summary>
internal sealed class RawClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[ProtocolConstants.MaxDatagram + 1];
    private readonly IPEndPoint _server;

    public RawClient(IPEndPoint server)
    {
        _server = server;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.ReceiveTimeout = 200;
    }

    public ClientConnection Connection { get; } = new();
    public List<byte[]> Received { get; } = [];
    public Socket Socket => _socket;

    /// <summary>Runs the handshake until it ends (connected, refused or timed out).</summary>
    public bool Connect(ConnectToken? token, TimeSpan timeout)
    {
        if (token is null)
        {
            Connection.Connect(MonotonicClock.NowUs);
        }
        else
        {
            Connection.Connect(MonotonicClock.NowUs, token);
        }
        var deadline = DateTime.UtcNow + timeout;
        while (Connection.State is ClientState.SendingHello or ClientState.SendingCookie && DateTime.UtcNow < deadline)
        {
            Pump();
        }
        return Connection.IsConnected;
    }

    /// <summary>Sends what is due, then takes what arrives within a short wait.</summary>
    public void Pump()
    {
        var now = MonotonicClock.NowUs;
        Connection.Update(now);
        int length;
        while ((length = Connection.PollSend(_buffer, now)) > 0)
        {
            _socket.SendTo(_buffer.AsSpan(0, length), _server);
        }
        if (_socket.Poll(20_000, SelectMode.SelectRead))
        {
            length = _socket.Receive(_buffer);
            Received.Add(_buffer.AsSpan(0, length).ToArray());
            var collector = new ConnectionTests.Collector();
            Connection.Receive(_buffer.AsSpan(0, length), MonotonicClock.NowUs, ref collector);
        }
    }

    public void Dispose() => _socket.Dispose();
}
