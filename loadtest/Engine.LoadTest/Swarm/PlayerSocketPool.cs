using System.Globalization;
using System.Net;
using Engine.Transport;

namespace Engine.LoadTest.Swarm;

/// <summary>
/// The default layout: one UDP socket per player (and spectator), so every player has a source port of its own
/// and the server can never join replies to two players into one send, just as with real players. Player i's
/// socket binds 127.0.0.(2 + offset + i mod addresses) (a few thousand ports per address at most) and is
/// connect()ed to its server (<see cref="ConnectedSocketGroup"/>): each player can be pointed at a server of its
/// own with <see cref="Connect"/>. One epoll set, one receive batch and one send batch serve all of them.
/// </summary>
/// <remarks>
/// Kernel buffers: 128 KB asked for each way (the kernel grants twice that for its bookkeeping). A player
/// receives 10-20 snapshots a second and sends at most a few datagrams a pass, so 256 KB of receive queue (well
/// over a hundred small datagrams, seconds of a player's traffic) rides out any stall of the swarm thread that
/// the run would survive anyway, and the kernel charges only what is queued: idle sockets cost nothing.
/// The shared layout's 8 MB per socket, times 12,000 sockets, would let a stall queue gigabytes.
/// </remarks>
internal sealed class PlayerSocketPool : SocketPool
{
    public const int KernelBufferBytes = 128 * 1024;

    // Descriptors the process needs besides the players' sockets: the runtime, the engine's pipes, the
    // admin scraper, the hostile scenario's attack sockets (up to 4,096), files.
    private const int OtherDescriptors = 256;

    private readonly ConnectedSocketGroup _group;
    private readonly int _addresses;

    public PlayerSocketPool(IPEndPoint server, int players, int addresses, int addressOffset)
    {
        _addresses = Math.Min(addresses, players);
        var options = new BatchSocketOptions[players];
        for (var i = 0; i < players; i++)
        {
            options[i] = new BatchSocketOptions
            {
                BindAddress = BindAddress(server, i % addresses, addressOffset),
                Port = 0,
                ReceiveBufferBytes = KernelBufferBytes,
                SendBufferBytes = KernelBufferBytes,
            };
        }
        _group = new ConnectedSocketGroup(options, [server]);
    }

    /// <summary>
    /// Stops the run before it starts when the process may not open a socket per player: one clear message (the
    /// caller exits 2) instead of a failure half way through opening them.
    /// </summary>
    public static void CheckDescriptorLimit(LoadTestOptions options)
    {
        if (!options.SocketPerPlayer)
        {
            return;
        }
        var limit = TransportPlatform.OpenFileLimit();
        var needed = (long)options.SocketCount + OtherDescriptors + (options.Scenario.Attacks ? options.AttackAddresses : 0);
        if (needed > limit)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{options.SocketCount} players need a socket each, {needed} file descriptors in all, but the limit (RLIMIT_NOFILE, ulimit -n) is {limit}: raise it, or run fewer players (or --shared-sockets 16, a layout real players never have)"));
        }
    }

    public override bool NamesPlayer => true;

    public override int Count => _group.Count;

    public override int BatchCapacity => ConnectedSocketGroup.BatchCapacity;

    /// <summary>The server player <paramref name="player"/>'s socket talks to.</summary>
    public IPEndPoint Peer(int player) => _group.Peer(player);

    /// <summary>Points player <paramref name="player"/>'s socket at another server (keeping its port).</summary>
    public void Connect(int player, IPEndPoint server) => _group.Connect(player, server);

    public override BatchSocket Socket(int index) => _group.Socket(index);

    public override string Describe()
    {
        if (_group.Count == 0)
        {
            return "no sockets";
        }
        var first = _group.Socket(0).LocalEndPoint.Address;
        var last = _group.Socket(_addresses - 1).LocalEndPoint.Address;
        return string.Create(CultureInfo.InvariantCulture,
            $"{_group.Count} sockets, one per player, on {_addresses} addresses {first} .. {last}, each connected to {_group.Peer(0)}");
    }

    public override int WaitReadable(int timeoutMs) => _group.WaitReadable(timeoutMs);

    public override int ReadySocket(int index) => _group.ReadySocket(index);

    public override int Receive(int socket) => _group.Receive(socket);

    public override ReceiveBatch Received(int socket) => _group.Received;

    public override Span<byte> NextSendBuffer(int socket) => _group.NextSendBuffer(socket);

    public override void CommitSend(int socket, int length) => _group.CommitSend(length);

    public override void Flush() => _group.Flush();

    public override SocketCounters TotalCounters() => _group.TotalCounters();

    public override void Dispose() => _group.Dispose();
}
