using System.Buffers.Binary;
using Engine.Protocol.Handshake;
using Engine.Protocol.Wire;

namespace Engine.Protocol;

/// <summary>What a datagram from the server should be routed by, for a process hosting many clients on few sockets.</summary>
public enum RouteKey : byte
{
    None,

    /// <summary>A session packet: the key is its connection id.</summary>
    ConnectionId,

    /// <summary>A handshake reply (challenge, welcome, reject): the key is the nonce of the client's hello.</summary>
    Nonce,
}

/// <summary>
/// Finds which client a datagram from the server belongs to when many clients share a socket (the
/// load-test swarm, the ping-pong benchmark): by connection id once connected, by nonce before.
/// </summary>
public static class ClientRouting
{
    public static RouteKey Read(ReadOnlySpan<byte> datagram, out ulong key)
    {
        key = 0;
        if (datagram.Length < 9)
        {
            return RouteKey.None;
        }
        switch ((PacketType)(datagram[0] & ProtocolConstants.TypeMask))
        {
            case PacketType.Session:
                key = BinaryPrimitives.ReadUInt64LittleEndian(datagram.Slice(ProtocolConstants.ConnectionIdOffset));
                return RouteKey.ConnectionId;
            case PacketType.Challenge when HandshakePackets.TryReadChallenge(datagram, out key, out _) == DropReason.None:
                return RouteKey.Nonce;
            case PacketType.Welcome when HandshakePackets.TryReadWelcome(datagram, out var welcome) == DropReason.None:
                key = welcome.Nonce;
                return RouteKey.Nonce;
            case PacketType.Reject when HandshakePackets.TryReadReject(datagram, out key, out _) == DropReason.None:
                return RouteKey.Nonce;
            default:
                key = 0;
                return RouteKey.None;
        }
    }
}
