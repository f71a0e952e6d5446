namespace Engine.Transport;

/// <summary>
/// The part of the wire format the kernel steering program reads. The protocol defines the same numbers; the
/// two must agree or session packets land on the wrong shard.
/// </summary>
public static class SessionSteering
{
    /// <summary>Bits of the first payload byte that hold the packet type.</summary>
    public const byte SessionTypeMask = 0x1F;

    /// <summary>Packet type of a session packet: <c>(b0 &amp; SessionTypeMask) == SessionType</c>.</summary>
    public const byte SessionType = 0x10;

    /// <summary>Shorter datagrams are never steered (type byte, connection id and at least a sequence).</summary>
    public const int MinSessionPacketBytes = 17;

    /// <summary>Payload offset of the 64-bit connection id; its first byte is the owning shard index.</summary>
    public const int ShardByteOffset = 1;

    /// <summary>The shard index is one byte.</summary>
    public const int MaxShards = 256;
}
