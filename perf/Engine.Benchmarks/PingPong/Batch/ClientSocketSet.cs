using System.Net;
using Engine.Transport;

namespace Engine.Benchmarks.PingPong.Batch;

/// <summary>
/// The client side's sockets for the batch clients: a few <see cref="BatchSocket"/>s on
/// loopback, each with its own receive and send batch, all talking to one server address.
/// Client i uses socket i % count. Several sockets rather than one because a server that
/// spreads new connections over reuseport shards by the kernel's 4-tuple hash sees one
/// source port as one flow; four give the hash something to spread.
/// </summary>
internal sealed class ClientSocketSet : IDisposable
{
    public const int BatchCapacity = ClientSocketGroup.BatchCapacity;
    public const int MaxDatagram = ClientSocketGroup.MaxDatagram;

    // Empty passes to spin through before blocking; an empty pass is one epoll_wait.
    private const int SpinPasses = 64;

    private readonly ClientSocketGroup _group;
    private int _emptyPasses;

    public ClientSocketSet(IPEndPoint server, int count)
    {
        _group = new ClientSocketGroup(server,
            Enumerable.Range(0, count).Select(_ => new BatchSocketOptions { BindAddress = IPAddress.Loopback, Port = 0 }).ToArray());
    }

    public int Count => _group.Count;

    public ref readonly PeerAddress Server => ref _group.Server;

    public int SocketOf(int client) => client % _group.Count;

    /// <summary>One epoll_wait over every socket (0 ms: only look); the ready ones are <see cref="ReadySocket"/>.</summary>
    public int WaitReadable(int timeoutMs) => _group.WaitReadable(timeoutMs);

    public int ReadySocket(int index) => _group.ReadySocket(index);

    /// <summary>One recvmmsg on socket <paramref name="socket"/>; the datagrams are in <see cref="Received"/>.</summary>
    public int Receive(int socket) => _group.Receive(socket);

    public ReceiveBatch Received(int socket) => _group.Received(socket);

    /// <summary>The next free send buffer of a socket, flushing its batch first when full.</summary>
    public Span<byte> NextSendBuffer(int socket) => _group.NextSendBuffer(socket);

    public void CommitSend(int socket, int length) => _group.CommitSend(socket, length);

    public void Flush() => _group.Flush();

    /// <summary>
    /// Called after a pass: spins through a few empty passes (cheap, and a reply is usually
    /// microseconds away), then blocks up to 1 ms until any socket has a datagram.
    /// </summary>
    public void Idle(bool receivedAny)
    {
        if (receivedAny)
        {
            _emptyPasses = 0;
            return;
        }
        if (++_emptyPasses < SpinPasses)
            return;
        _emptyPasses = 0;
        _group.WaitReadable(1);
    }

    public void Dispose() => _group.Dispose();
}
