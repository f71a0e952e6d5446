using System.Net;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Engine.Server.Sessions;
using Engine.Transport;

namespace Engine.Tests.Sessions;

/// <summary>Sessions without a socket, as a shard opens them, each from its own address unless told.</summary>
internal static class TestSessions
{
    private static int s_nextPort = 20_000;

    public static PeerAddress Address(string ip = "198.51.100.1", int? port = null) =>
        PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Parse(ip), port ?? Interlocked.Increment(ref s_nextPort) % 60_000 + 1024));

    public static Session Open(uint playerId, long nowUs, int maxPayload = ProtocolConstants.DefaultMaxPayload, PeerAddress? address = null, ulong tokenPlayerId = 0)
    {
        var pool = new SessionPool(new ConnectionOptions { MaxPayload = maxPayload }, retained: 16);
        return pool.Rent(0x1000 + playerId, address ?? Address(), playerId, nowUs, tokenPlayerId: tokenPlayerId);
    }
}
