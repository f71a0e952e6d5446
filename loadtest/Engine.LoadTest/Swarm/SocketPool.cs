using System.Net;
using Engine.Transport;

namespace Engine.LoadTest.Swarm;

/// <summary>
/// The swarm's sockets: a few <see cref="BatchSocket"/>s, socket s bound to 127.0.0.(2+s) so the server
/// sees that many client addresses (all of 127.0.0.0/8 is loopback on Linux; binding needs no set-up),
/// each with its own receive and send batch. All traffic goes to the one server address.
/// </summary>
internal sealed class SocketPool : IDisposable
{
    public const int BatchCapacity = 64;
    public const int MaxDatagram = 1500;

    private readonly BatchSocket[] _sockets;
    private readonly ReceiveBatch[] _receive;
    private readonly SendBatch[] _send;
    private readonly PeerAddress _server;

    public SocketPool(IPEndPoint server, int count)
    {
        _server = PeerAddress.FromEndPoint(server);
        _sockets = new BatchSocket[count];
        _receive = new ReceiveBatch[count];
        _send = new SendBatch[count];
        var loopbackServer = IPAddress.IsLoopback(server.Address);
        try
        {
            for (var i = 0; i < count; i++)
            {
                // A remote server needs a routable source; on loopback every socket gets an address of its own.
                var bind = loopbackServer && server.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                    ? new IPAddress([127, 0, (byte)((2 + i) >> 8), (byte)((2 + i) & 0xFF)])
                    : server.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
                _sockets[i] = BatchSocket.Open(new BatchSocketOptions
                {
                    BindAddress = bind,
                    Port = 0,
                    ReceiveBufferBytes = 8 * 1024 * 1024,
                    SendBufferBytes = 4 * 1024 * 1024,
                });
                _receive[i] = new ReceiveBatch(BatchCapacity, MaxDatagram);
                _send[i] = new SendBatch(BatchCapacity, MaxDatagram);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Count => _sockets.Length;

    public BatchSocket Socket(int index) => _sockets[index];

    public string Describe() => string.Join(", ", _sockets.Select(s => s.LocalEndPoint.ToString()));

    public int Receive(int socket) => _sockets[socket].Receive(_receive[socket]);

    public ReceiveBatch Received(int socket) => _receive[socket];

    /// <summary>The next free send buffer of a socket, sending its batch first when full.</summary>
    public Span<byte> NextSendBuffer(int socket)
    {
        var batch = _send[socket];
        if (batch.IsFull)
        {
            _sockets[socket].Send(batch);
        }
        return batch.NextBuffer();
    }

    public void CommitSend(int socket, int length) => _send[socket].Commit(_server, length);

    public void Flush()
    {
        for (var s = 0; s < _sockets.Length; s++)
        {
            if (_send[s].Count > 0)
            {
                _sockets[s].Send(_send[s]);
            }
        }
    }

    public SocketCounters TotalCounters()
    {
        var total = default(SocketCounters);
        foreach (var s in _sockets)
        {
            var c = s.Counters;
            total.DatagramsReceived += c.DatagramsReceived;
            total.DatagramsSent += c.DatagramsSent;
            total.BytesReceived += c.BytesReceived;
            total.BytesSent += c.BytesSent;
            total.KernelDrops += c.KernelDrops;
            total.SendDrops += c.SendDrops;
            total.SendErrors += c.SendErrors;
        }
        return total;
    }

    public void Dispose()
    {
        foreach (var s in _sockets)
        {
            s?.Dispose();
        }
        foreach (var r in _receive)
        {
            r?.Dispose();
        }
        foreach (var b in _send)
        {
            b?.Dispose();
        }
    }
}
