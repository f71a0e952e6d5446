using System.Net;

namespace Engine.Transport;

/// <summary>
/// Many UDP sockets, each connect()ed to its own server, for a client side that multiplexes thousands of
/// clients on one thread and gives each its own source port, as real clients have (the load-test swarm: one
/// socket per simulated player). One epoll set covers every socket, and they share one receive and one send
/// batch, so memory does not grow with the socket count beyond the sockets themselves.
/// </summary>
/// <remarks>
/// Receive: <see cref="WaitReadable"/> names up to <see cref="MaxReadyPerWait"/> ready sockets;
/// <see cref="Receive"/> reads one of them into the shared batch, which holds its datagrams until the next
/// receive, so the caller handles them at once. Send: the shared batch holds one socket's datagrams at a time;
/// queueing for another socket (or <see cref="Flush"/>) sends what is queued first, so a client that queues
/// all it has to say at once goes out with one sendmmsg on its own socket and its datagrams never share a
/// send (or a GSO message) with another client's.
/// </remarks>
public sealed class ConnectedSocketGroup : IDisposable
{
    public const int BatchCapacity = 64;
    public const int MaxDatagram = 1500;

    /// <summary>The most ready sockets one <see cref="WaitReadable"/> names; the rest are named by the next one.</summary>
    public const int MaxReadyPerWait = 1024;

    private readonly BatchSocket[] _sockets;
    private readonly IPEndPoint[] _peers;
    private readonly ReceiveBatch _receive;
    private readonly SendBatch _send;
    private readonly SocketReadiness? _readiness;

    // The socket whose datagrams the send batch holds (-1: none).
    private int _sendSocket = -1;

    /// <summary>
    /// Opens one socket per entry of <paramref name="sockets"/> and connects socket <c>i</c> to
    /// <paramref name="servers"/>[i] (a list of one: every socket to that server).
    /// </summary>
    public ConnectedSocketGroup(IReadOnlyList<BatchSocketOptions> sockets, IReadOnlyList<IPEndPoint> servers)
    {
        ArgumentNullException.ThrowIfNull(sockets);
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count != 1 && servers.Count != sockets.Count)
        {
            ThrowHelper.ThrowArgument("one server for every socket, or one for all", nameof(servers));
        }

        _sockets = new BatchSocket[sockets.Count];
        _peers = new IPEndPoint[sockets.Count];
        _receive = new ReceiveBatch(BatchCapacity, MaxDatagram);
        _send = new SendBatch(BatchCapacity, MaxDatagram);
        try
        {
            for (var i = 0; i < sockets.Count; i++)
            {
                _sockets[i] = BatchSocket.Open(sockets[i]);
                Connect(i, servers[servers.Count == 1 ? 0 : i]);
            }
            _readiness = new SocketReadiness(_sockets, MaxReadyPerWait);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Count => _sockets.Length;

    public BatchSocket Socket(int index) => _sockets[index];

    /// <summary>The server socket <paramref name="index"/> talks to.</summary>
    public IPEndPoint Peer(int index) => _peers[index];

    /// <summary>
    /// Points socket <paramref name="index"/> at another server, keeping its port: from now on it sends there and
    /// receives only from there. Datagrams it has queued are sent to the old server first.
    /// </summary>
    public void Connect(int index, IPEndPoint server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (_sendSocket == index)
        {
            Flush();
        }
        _sockets[index].Connect(server);
        _peers[index] = server;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (0: only look) until any socket has datagrams waiting; returns how
    /// many sockets are named by <see cref="ReadySocket"/> (at most <see cref="MaxReadyPerWait"/>). Level-triggered:
    /// a socket still holding datagrams after a receive, or not named this time, is named by a later call.
    /// </summary>
    public int WaitReadable(int timeoutMs) => _readiness!.Wait(timeoutMs);

    /// <summary>The socket index of the <paramref name="index"/>-th ready socket of the last <see cref="WaitReadable"/>.</summary>
    public int ReadySocket(int index) => _readiness!.Ready(index);

    /// <summary>One recvmmsg on a socket into the shared batch (<see cref="Received"/>), valid until the next receive.</summary>
    public int Receive(int socket) => _sockets[socket].Receive(_receive);

    public ReceiveBatch Received => _receive;

    /// <summary>
    /// The next free send buffer for <paramref name="socket"/>. When the batch holds another socket's datagrams,
    /// or is full, those go out first.
    /// </summary>
    public Span<byte> NextSendBuffer(int socket)
    {
        if (_send.Count > 0 && (socket != _sendSocket || _send.IsFull))
        {
            Flush();
        }
        _sendSocket = socket;
        return _send.NextBuffer();
    }

    /// <summary>Queues what was written into the last <see cref="NextSendBuffer"/> for its socket's server.</summary>
    public void CommitSend(int length) => _send.Commit(default, length);

    /// <summary>Sends what the batch holds on its socket (one sendmmsg).</summary>
    public void Flush()
    {
        if (_send.Count > 0)
        {
            _sockets[_sendSocket].Send(_send);
        }
    }

    /// <summary>Every socket's counters added up.</summary>
    public SocketCounters TotalCounters() => SocketCounters.Total(_sockets);

    public void Dispose()
    {
        _readiness?.Dispose();
        foreach (var socket in _sockets)
        {
            socket?.Dispose();
        }
        _receive.Dispose();
        _send.Dispose();
    }
}
