using System.Net;
using System.Net.Sockets;
using Engine.Transport;

namespace Engine.LoadTest.Swarm;

/// <summary>
/// The swarm's sockets, in one of two layouts: one socket per player (<see cref="PlayerSocketPool"/>, the
/// default: each player has its own source port, as real players do) or a few sockets every player shares
/// (<see cref="SharedSocketPool"/>, `--shared-sockets N`, for comparison only). Sockets bind 127.0.0.(2 + offset)
/// on (all of 127.0.0.0/8 is loopback on Linux; binding needs no set-up; the offset keeps the agents of a
/// distributed run that share a box apart).
/// </summary>
internal abstract class SocketPool : IDisposable
{
    public const int MaxDatagram = ClientSocketGroup.MaxDatagram;

    /// <summary>Whether socket <c>i</c> belongs to player <c>i</c> alone (and so names it).</summary>
    public abstract bool NamesPlayer { get; }

    public abstract int Count { get; }

    /// <summary>The most datagrams one <see cref="Receive"/> delivers.</summary>
    public abstract int BatchCapacity { get; }

    public static SocketPool Open(LoadTestOptions options, IPEndPoint server) => options.SocketPerPlayer
        ? new PlayerSocketPool(server, options.TotalClients, options.Addresses, options.SourceAddressOffset)
        : new SharedSocketPool(server, options.SharedSockets, options.SourceAddressOffset);

    /// <summary>The address socket <paramref name="index"/> binds: a remote server needs a routable source; on loopback they spread over 127.0.0.x.</summary>
    protected static IPAddress BindAddress(IPEndPoint server, int addressIndex, int addressOffset)
    {
        if (IPAddress.IsLoopback(server.Address) && server.AddressFamily == AddressFamily.InterNetwork)
        {
            var n = 2 + addressOffset + addressIndex;
            return new IPAddress([127, 0, (byte)(n >> 8), (byte)(n & 0xFF)]);
        }
        return server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
    }

    public abstract BatchSocket Socket(int index);

    public abstract string Describe();

    /// <summary>One epoll_wait over every socket (0 ms: only look); the ready ones are <see cref="ReadySocket"/>.</summary>
    public abstract int WaitReadable(int timeoutMs);

    public abstract int ReadySocket(int index);

    /// <summary>One recvmmsg on a socket; the datagrams are in <see cref="Received"/> until the next receive.</summary>
    public abstract int Receive(int socket);

    public abstract ReceiveBatch Received(int socket);

    public abstract Span<byte> NextSendBuffer(int socket);

    public abstract void CommitSend(int socket, int length);

    public abstract void Flush();

    public abstract SocketCounters TotalCounters();

    public abstract void Dispose();
}
