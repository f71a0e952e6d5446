using System.Net;
using Engine.Transport;

namespace Engine.LoadTest.Swarm;

/// <summary>
/// The shared layout (`--shared-sockets N`): N batch sockets, socket s on 127.0.0.(2 + offset + s), each with its
/// own receive and send batch, that all players share (player i on socket i mod N). Replies to the players
/// behind one socket share a destination, so the server can join them into one GSO send: real players, each on
/// an address and port of its own, never allow that. Kept to compare against.
/// </summary>
internal sealed class SharedSocketPool : SocketPool
{
    private readonly ClientSocketGroup _group;

    public SharedSocketPool(IPEndPoint server, int count, int addressOffset = 0)
    {
        var options = new BatchSocketOptions[count];
        for (var i = 0; i < count; i++)
        {
            options[i] = new BatchSocketOptions
            {
                BindAddress = BindAddress(server, i, addressOffset),
                Port = 0,
                ReceiveBufferBytes = 8 * 1024 * 1024,
                SendBufferBytes = 4 * 1024 * 1024,
            };
        }
        _group = new ClientSocketGroup(server, options);
    }

    public override bool NamesPlayer => false;

    public override int Count => _group.Count;

    public override int BatchCapacity => ClientSocketGroup.BatchCapacity;

    public override BatchSocket Socket(int index) => _group.Socket(index);

    public override string Describe() => string.Join(", ", Enumerable.Range(0, _group.Count).Select(i => _group.Socket(i).LocalEndPoint.ToString()));

    public override int WaitReadable(int timeoutMs) => _group.WaitReadable(timeoutMs);

    public override int ReadySocket(int index) => _group.ReadySocket(index);

    public override int Receive(int socket) => _group.Receive(socket);

    public override ReceiveBatch Received(int socket) => _group.Received(socket);

    public override Span<byte> NextSendBuffer(int socket) => _group.NextSendBuffer(socket);

    public override void CommitSend(int socket, int length) => _group.CommitSend(socket, length);

    public override void Flush() => _group.Flush();

    public override SocketCounters TotalCounters() => _group.TotalCounters();

    public override void Dispose() => _group.Dispose();
}
