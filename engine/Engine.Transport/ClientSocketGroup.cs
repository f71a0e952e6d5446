using System.Net;

namespace Engine.Transport;

/// <summary>
/// A few <see cref="BatchSocket"/>s that many multiplexed clients share to talk to one server
/// (the load-test swarm, the ping-pong benchmark), each with its own receive and send batch.
/// Clients are spread over the sockets so the server's reuseport hash sees several flows. One
/// epoll set covers every socket: <see cref="WaitReadable"/> names the sockets with datagrams
/// waiting, so a pass costs one epoll_wait plus a recvmmsg per ready socket, however many there are.
/// </summary>
public sealed class ClientSocketGroup : IDisposable
{
    public const int BatchCapacity = 64;
    public const int MaxDatagram = 1500;

    private readonly BatchSocket[] _sockets;
    private readonly ReceiveBatch[] _receive;
    private readonly SendBatch[] _send;
    private readonly PeerAddress _server;
    private readonly SocketReadiness? _readiness;

    /// <summary>Opens one socket per entry of <paramref name="sockets"/>; all send to <paramref name="server"/>.</summary>
    public ClientSocketGroup(IPEndPoint server, IReadOnlyList<BatchSocketOptions> sockets)
    {
        _server = PeerAddress.FromEndPoint(server);
        _sockets = new BatchSocket[sockets.Count];
        _receive = new ReceiveBatch[sockets.Count];
        _send = new SendBatch[sockets.Count];
        try
        {
            for (var i = 0; i < sockets.Count; i++)
            {
                _sockets[i] = BatchSocket.Open(sockets[i]);
                _receive[i] = new ReceiveBatch(BatchCapacity, MaxDatagram);
                _send[i] = new SendBatch(BatchCapacity, MaxDatagram);
            }
            _readiness = new SocketReadiness(_sockets);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Count => _sockets.Length;

    public ref readonly PeerAddress Server => ref _server;

    public BatchSocket Socket(int index) => _sockets[index];

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (0: only look) until any socket has datagrams
    /// waiting; returns how many sockets are ready, named by <see cref="ReadySocket"/>. Level-triggered:
    /// a socket still holding datagrams after a receive is named again by the next call.
    /// </summary>
    public int WaitReadable(int timeoutMs) => _readiness!.Wait(timeoutMs);

    /// <summary>The socket index of the <paramref name="index"/>-th ready socket of the last <see cref="WaitReadable"/>.</summary>
    public int ReadySocket(int index) => _readiness!.Ready(index);

    /// <summary>One recvmmsg on a socket; the datagrams are in <see cref="Received"/>.</summary>
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

    /// <summary>Every socket's counters added up.</summary>
    public SocketCounters TotalCounters() => SocketCounters.Total(_sockets);

    public void Dispose()
    {
        _readiness?.Dispose();
        foreach (var socket in _sockets)
        {
            socket?.Dispose();
        }
        foreach (var batch in _receive)
        {
            batch?.Dispose();
        }
        foreach (var batch in _send)
        {
            batch?.Dispose();
        }
    }
}
