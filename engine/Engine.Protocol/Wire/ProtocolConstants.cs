namespace Engine.Protocol.Wire;

/// <summary>Sizes and magic numbers of the protocol; docs/PROTOCOL.md describes every byte.</summary>
public static class ProtocolConstants
{
    /// <summary>2: snapshots and Joined carry the room epoch.</summary>
    public const ushort Version = 2;

    /// <summary>"ENG1" read as a little-endian u32.</summary>
    public const uint Magic = 0x31474E45;

    public const byte TypeMask = 0x1F;
    public const byte FlagsMask = 0xE0;

    /// <summary>Every hello is exactly this long, so no server reply is ever larger than the request that caused it.</summary>
    public const int HelloSize = 256;
    public const int CookieSize = 24;
    public const int ChallengeSize = 1 + 8 + CookieSize;
    public const int WelcomeSize = 1 + 8 + 8 + 4 + 2 + 2;

    /// <summary>A welcome of a secure server: the welcome, then a 16-byte tag under the session's server-to-client key.</summary>
    public const int SealedWelcomeSize = WelcomeSize + Security.SecurityConstants.TagSize;
    public const int RejectSize = 1 + 8 + 1;

    /// <summary>type(1) + connection id(8) + sequence(2) + ack(2) + ack bits(4).</summary>
    public const int SessionHeaderSize = 17;

    /// <summary>Offset of the connection id; its first byte names the owning shard.</summary>
    public const int ConnectionIdOffset = 1;

    public const int DefaultMaxPayload = 1200;

    /// <summary>1500-byte Ethernet MTU minus IPv4 and UDP headers.</summary>
    public const int MaxDatagram = 1472;

    /// <summary>The smallest a datagram's payload can be configured to (a header plus a useful message).</summary>
    public const int MinMaxPayload = 256;
}
