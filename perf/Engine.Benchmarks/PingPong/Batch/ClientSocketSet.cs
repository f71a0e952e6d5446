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
    public const int BatchCapacity = 64;
    public const int MaxDatagram = 1500;

    // Empty passes to spin through before blocking; one pass is a recvmmsg per socket.
    private const int SpinPasses = 64;

    private readonly BatchSocket[] _sockets;
    private readonly ReceiveBatch[] _receive;
    private readonly SendBatch[] _send;
    private readonly PeerAddress _server;
    private int _emptyPasses;
    private int _waitNext;

    public ClientSocketSet(IPEndPoint server, int count)
    {
        _server = PeerAddress.FromEndPoint(server);
        _sockets = new BatchSocket[count];
        _receive = new ReceiveBatch[count];
        _send = new SendBatch[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                _sockets[i] = BatchSocket.Open(new BatchSocketOptions { BindAddress = IPAddress.Loopback, Port = 0 });
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

    public ref readonly PeerAddress Server => ref _server;

    public int SocketOf(int client) => client % _sockets.Length;

    /// <summary>One recvmmsg on socket <paramref name="socket"/>; the datagrams are in <see cref="Received"/>.</summary>
    public int Receive(int socket) => _sockets[socket].Receive(_receive[socket]);

    public ReceiveBatch Received(int socket) => _receive[socket];

    /// <summary>The next free send buffer of a socket, flushing its batch first when full.</summary>
    public Span<byte> NextSendBuffer(int socket)
    {
        SendBatch batch = _send[socket];
        if (batch.IsFull)
            _sockets[socket].Send(batch);
        return batch.NextBuffer();
    }

    public void CommitSend(int socket, int length) => _send[socket].Commit(_server, length);

    public void Flush()
    {
        for (int s = 0; s < _sockets.Length; s++)
        {
            if (_send[s].Count > 0)
                _sockets[s].Send(_send[s]);
        }
    }

    /// <summary>
    /// Called after a pass: spins through a few empty passes (cheap, and a reply is usually
    /// microseconds away), then blocks up to 1 ms on one socket in turn. BatchSocket waits on
    /// one socket only; with replies pending on every socket the block is rarely reached.
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
        _waitNext = (_waitNext + 1) % _sockets.Length;
        _sockets[_waitNext].WaitReadable(1);
    }

    public void Dispose()
    {
        foreach (BatchSocket? s in _sockets)
            s?.Dispose();
        foreach (ReceiveBatch? r in _receive)
            r?.Dispose();
        foreach (SendBatch? b in _send)
            b?.Dispose();
    }
}
