using System.Net;
using System.Net.Sockets;
using Engine.Transport;

namespace Engine.LoadTest.Swarm;

/// <summary>
/// The swarm's sockets: a few <see cref="BatchSocket"/>s, socket s bound to 127.0.0.(2+offset+s) so the server
/// sees that many client addresses (all of 127.0.0.0/8 is loopback on Linux; binding needs no set-up; the
/// offset keeps the agents of a distributed run that share a box apart),
/// each with its own receive and send batch. All traffic goes to the one server address.
/// </summary>
internal sealed class SocketPool : IDisposable
{
    public const int BatchCapacity = ClientSocketGroup.BatchCapacity;
    public const int MaxDatagram = ClientSocketGroup.MaxDatagram;

    private readonly ClientSocketGroup _group;

    public SocketPool(IPEndPoint server, int count, int addressOffset = 0)
    {
        var loopbackServer = IPAddress.IsLoopback(server.Address);
        var options = new BatchSocketOptions[count];
        for (var i = 0; i < count; i++)
        {
            // A remote server needs a routable source; on loopback every socket gets an address of its own.
            var bind = loopbackServer && server.AddressFamily == AddressFamily.InterNetwork
                ? new IPAddress([127, 0, (byte)((2 + addressOffset + i) >> 8), (byte)((2 + addressOffset + i) & 0xFF)])
                : server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
            options[i] = new BatchSocketOptions
            {
                BindAddress = bind,
                Port = 0,
                ReceiveBufferBytes = 8 * 1024 * 1024,
                SendBufferBytes = 4 * 1024 * 1024,
            };
        }
        _group = new ClientSocketGroup(server, options);
    }

    public int Count => _group.Count;

    public BatchSocket Socket(int index) => _group.Socket(index);

    public string Describe() => string.Join(", ", Enumerable.Range(0, _group.Count).Select(i => _group.Socket(i).LocalEndPoint.ToString()));

    /// <summary>One epoll_wait over every socket (0 ms: only look); the ready ones are <see cref="ReadySocket"/>.</summary>
    public int WaitReadable(int timeoutMs) => _group.WaitReadable(timeoutMs);

    public int ReadySocket(int index) => _group.ReadySocket(index);

    public int Receive(int socket) => _group.Receive(socket);

    public ReceiveBatch Received(int socket) => _group.Received(socket);

    public Span<byte> NextSendBuffer(int socket) => _group.NextSendBuffer(socket);

    public void CommitSend(int socket, int length) => _group.CommitSend(socket, length);

    public void Flush() => _group.Flush();

    public SocketCounters TotalCounters()
    {
        var total = default(SocketCounters);
        for (var i = 0; i < _group.Count; i++)
        {
            var c = _group.Socket(i).Counters;
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

    public void Dispose() => _group.Dispose();
}
